package incident

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// IDs are stored by users' backends and compared across collector versions:
// these values pin the derivation (computed independently with Python's
// hashlib), and changing them is a breaking change.
func TestIDsAreStable(t *testing.T) {
	e := NewEntity(map[string]string{"host.name": "node-1", "hw.id": "fan-3"})
	assert.Equal(t, "inc-7cba75a96db12069", NewIncidentID("group-1", "2026-01-02T03:04:05Z"))
	assert.Equal(t, "fnd-6cd9346177df52ff", NewFindingID("3a6e5cba91f2ae53", "1767323045000000000"))
	assert.Equal(t, "99711be29effae10", NewFingerprint(KindHardware, e, "hw.status"))
}

func TestIDFormat(t *testing.T) {
	assert.Regexp(t, regexp.MustCompile(`^inc-[0-9a-f]{16}$`), NewIncidentID())
	assert.Regexp(t, regexp.MustCompile(`^fnd-[0-9a-f]{16}$`), NewFindingID("x"))
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{16}$`), NewFingerprint(KindAnomaly, Entity{}, ""))
}

func TestIDsSeparateParts(t *testing.T) {
	assert.NotEqual(t, NewIncidentID("ab", "c"), NewIncidentID("a", "bc"))
	assert.NotEqual(t, NewIncidentID("a"), NewIncidentID("a", ""))
	assert.NotEqual(t, NewIncidentID("a", "b"), NewIncidentID("b", "a"))
	// Same parts, different kinds of ID: the prefix keeps them apart.
	assert.Equal(t, NewIncidentID("x")[4:], NewFindingID("x")[4:])

	e := NewEntity(map[string]string{"service.name": "checkout"})
	assert.NotEqual(t, NewFingerprint(KindAnomaly, e, "latency"), NewFingerprint(KindErrorLog, e, "latency"))
	assert.NotEqual(t, NewFingerprint(KindAlert, e, "HighLatency"), NewFingerprint(KindAlert, e, "HighLatency", "p99"))
	assert.Equal(t, NewFingerprint(KindAlert, e, "s", "x"),
		NewFingerprint(KindAlert, NewEntity(map[string]string{"service.name": "checkout"}), "s", "x"))
}
