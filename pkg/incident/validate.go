package incident

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// problems collects validation errors; each one starts with the name of the
// field it is about, so a joined error reads as a list of fields to fix.
type problems []error

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Errorf(format, args...))
}

func (p problems) err() error { return errors.Join(p...) }

// The checks below return a description of the problem, or "" when there is
// none, so that callers format field names (which may carry an index) only
// when something is wrong.

// maxTime is the last instant an OTLP timestamp (uint64 nanoseconds since
// the Unix epoch, read as int64 by Go) can hold, in 2262.
var maxTime = time.Unix(0, math.MaxInt64)

// checkTime accepts the zero time when the field is optional; any other time
// must lie strictly after the Unix epoch (a zero OTLP timestamp means "unset")
// and no later than maxTime.
func checkTime(t time.Time, required bool) string {
	switch {
	case t.IsZero():
		if required {
			return "must be set"
		}
		return ""
	case !t.After(time.Unix(0, 0)):
		return fmt.Sprintf("%s is not after the Unix epoch", t.Format(time.RFC3339Nano))
	case t.After(maxTime):
		return fmt.Sprintf("%s is past the last OTLP timestamp", t.Format(time.RFC3339Nano))
	default:
		return ""
	}
}

// checkScore requires a number within [0, 1]; NaN fails.
func checkScore(v float64) string {
	if v >= 0 && v <= 1 {
		return ""
	}
	return fmt.Sprintf("must be within [0, 1], got %v", v)
}

// checkFinite rejects NaN and ±Inf: they have no JSON form and most backends
// reject or mangle them, so an unknown number must be absent, not NaN.
func checkFinite(v *float64) string {
	if v == nil || !math.IsNaN(*v) && !math.IsInf(*v, 0) {
		return ""
	}
	return fmt.Sprintf("must be finite, got %v (leave it nil when unknown)", *v)
}

func checkEntity(e Entity) string {
	if e.Len() == 0 {
		return "must have at least one attribute"
	}
	for k, v := range e.All() {
		if k == "" || v == "" {
			return fmt.Sprintf("attribute %q=%q: key and value must not be empty", k, v)
		}
	}
	return ""
}

// checkSortedSet requires non-empty strings in strictly increasing order,
// the canonical form of a set that makes records comparable byte for byte.
func checkSortedSet(s []string) string {
	for i, v := range s {
		if v == "" {
			return fmt.Sprintf("element %d is empty", i)
		}
		if i > 0 && strings.Compare(s[i-1], v) >= 0 {
			return fmt.Sprintf("must be sorted and unique, %q comes after %q", v, s[i-1])
		}
	}
	return ""
}

func checkKeys(m map[string]string) string {
	if _, ok := m[""]; ok {
		return "has an empty key"
	}
	return ""
}
