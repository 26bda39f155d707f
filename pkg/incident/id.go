package incident

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// NewIncidentID derives an incident ID, "inc-" and 16 hex digits, from parts.
// The same parts always give the same ID, so a replayed storm yields the
// same incidents; the correlation engine passes what makes the incident
// unique (for example its group key and the fingerprint and time of its
// first finding).
func NewIncidentID(parts ...string) string { return "inc-" + digest(parts) }

// NewFindingID derives a finding ID, "fnd-" and 16 hex digits, from parts,
// typically the fingerprint and the onset time of one occurrence.
func NewFindingID(parts ...string) string { return "fnd-" + digest(parts) }

// NewFingerprint derives the fingerprint of a finding, 16 hex digits, from
// its kind, entity and signal plus any extra parts the producer needs to tell
// two troubles apart (an alert's rule, a log's message template).
// Occurrences of the same trouble share a fingerprint, which is what
// deduplication and incident membership key on; every producer should use
// this function so that fingerprints agree across components.
func NewFingerprint(kind Kind, entity Entity, signal string, extra ...string) string {
	parts := make([]string, 0, 3+len(extra))
	parts = append(parts, string(kind), entity.Key(), signal)
	return digest(append(parts, extra...))
}

// digest hashes the parts with a length prefix before each one, so that
// ("ab", "c") and ("a", "bc") differ, and returns the first 64 bits of the
// SHA-256 in hex: collisions stay negligible (about 3 in 10^8 among a million
// IDs) while IDs stay short enough to read aloud.
func digest(parts []string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p)) // a hash.Hash never returns an error
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:8])
}
