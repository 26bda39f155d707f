package notify

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven-char", 10, "eleven-ch…"},
		{"ééééé", 3, "éé…"},
		{"bad\xffbyte", 20, "bad\uFFFDbyte"},
		{"bad\xff\xfe", 4, "bad…"},
		{"x", 0, ""},
	} {
		assert.Equal(t, tc.want, truncate(tc.in, tc.limit), "%q/%d", tc.in, tc.limit)
	}
}

func TestSlackEscape(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  string
	}{
		{"<!channel> & <http://x|y>", 100, "&lt;!channel&gt; &amp; &lt;http://x|y&gt;"},
		{"a<b", 6, "a&lt;b"},
		{"a<b", 5, "a…"}, // an entity is never cut in half
		{"ab<", 6, "ab&lt;"},
		{"<<<<", 9, "&lt;&lt;…"},
	} {
		assert.Equal(t, tc.want, slackEscape(tc.in, tc.limit), "%q/%d", tc.in, tc.limit)
	}
}

// FuzzSlackEscape: whatever telemetry sends, the text stays within the
// limit, valid UTF-8, and free of Slack control characters.
func FuzzSlackEscape(f *testing.F) {
	for _, s := range []string{"", "<!here>", "&amp;", "é\xff<", strings.Repeat("<", 200)} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit = limit%4000 + 1
		if limit < 1 {
			limit = -limit + 1
		}
		got := slackEscape(s, limit)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if n := utf8.RuneCountInString(got); n > limit {
			t.Fatalf("%d runes > limit %d", n, limit)
		}
		if strings.ContainsAny(got, "<>") {
			t.Fatalf("unescaped markup in %q", got)
		}
		if plain := truncate(s, limit); utf8.RuneCountInString(plain) > limit || !utf8.ValidString(plain) {
			t.Fatalf("truncate(%q, %d) = %q", s, limit, plain)
		}
	})
}
