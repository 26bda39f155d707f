package store

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestCursorRoundTrip(t *testing.T) {
	c := cursor{openedAt: 1767323165123456789, id: "inc-7cba75a96db12069"}
	got, err := decodeCursor(encodeCursor(c))
	if err != nil || got != c {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "!!", encodeCursor(cursor{id: ""}), "djJ8MXx4", "djF8LTF8eA"} {
		if _, err := decodeCursor(bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("decodeCursor(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestRebind(t *testing.T) {
	b := &sqliteBackend{}
	if got := b.rebind("a = $1 AND b = $12 OR c = $1 AND d = '$x'"); got != "a = ?1 AND b = ?12 OR c = ?1 AND d = '$x'" {
		t.Fatalf("rebind = %q", got)
	}
}

// FuzzListFilter feeds outside input (the API's cursor and text parameters)
// to the filter builder: it must never panic, must reject bad cursors with
// ErrInvalid, and must keep the text out of the SQL.
func FuzzListFilter(f *testing.F) {
	f.Add(encodeCursor(cursor{openedAt: 5, id: "inc-1"}), "fan%_\\", 10)
	f.Add("djF8MXx4", "", 0)
	f.Add("%%%", "' OR 1=1 --", -1)
	f.Fuzz(func(t *testing.T, cur, text string, limit int) {
		q, a, n, err := listQuery(Filter{Cursor: cur, Text: text, Limit: limit})
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if n < 1 || n > MaxPageSize {
			t.Fatalf("limit %d", n)
		}
		if text != "" && len(text) > 3 && strings.Contains(q, text) {
			t.Fatalf("text leaked into SQL: %q", q)
		}
		if want := "$" + strconv.Itoa(len(a)); !strings.Contains(q, want) || strings.Contains(q, "$"+strconv.Itoa(len(a)+1)) {
			t.Fatalf("%d args for %q", len(a), q)
		}
		if cur != "" {
			c, err := decodeCursor(cur)
			if err != nil {
				t.Fatal(err)
			}
			if back, err := decodeCursor(encodeCursor(c)); err != nil || back != c {
				t.Fatalf("cursor %q does not round trip", cur)
			}
		}
	})
}
