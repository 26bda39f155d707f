package detector

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"
)

// Snapshot format: "RGS" + format version byte, the State in little-endian
// field order (encoding/binary), then a CRC-32C of everything before it.
// Version 4 has the current State layout; versions 1 to 3 (the layouts of
// stateV1, stateV2 and stateV3, of the same length) are still read.
const (
	snapMagic   = "RGS"
	snapVersion = 4
)

var (
	// ErrSnapshot is wrapped by every snapshot decoding error.
	ErrSnapshot = errors.New("regression state snapshot")

	crcTable  = crc32.MakeTable(crc32.Castagnoli)
	stateSize = binary.Size(State{})
)

// SnapshotSize is the length of an encoded State.
func SnapshotSize() int { return len(snapMagic) + 1 + stateSize + 4 }

// AppendBinary appends the encoded state to b.
func (s *State) AppendBinary(b []byte) []byte {
	start := len(b)
	b = append(b, snapMagic...)
	b = append(b, snapVersion)
	b, err := binary.Append(b, binary.LittleEndian, s)
	if err != nil {
		panic(err) // State is fixed-size by construction (TestStateSize)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], crcTable))
}

// MarshalBinary encodes the state.
func (s *State) MarshalBinary() ([]byte, error) {
	return s.AppendBinary(make([]byte, 0, SnapshotSize())), nil
}

// UnmarshalBinary decodes a snapshot made by MarshalBinary, of this or the
// previous format version. It checks the header, length and checksum and
// that the decoded state is usable; on error s is left unchanged.
func (s *State) UnmarshalBinary(data []byte) error {
	const head = len(snapMagic) + 1
	if len(data) < head || string(data[:len(snapMagic)]) != snapMagic {
		return fmt.Errorf("%w: bad header", ErrSnapshot)
	}
	version := data[len(snapMagic)]
	if version < 1 || version > snapVersion {
		return fmt.Errorf("%w: format version %d, want %d", ErrSnapshot, version, snapVersion)
	}
	if want := head + stateSize + 4; len(data) != want {
		return fmt.Errorf("%w: %d bytes, want %d for format version %d", ErrSnapshot, len(data), want, version)
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return fmt.Errorf("%w: checksum mismatch", ErrSnapshot)
	}
	st, err := decodeState(version, body[head:])
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	if err := st.check(); err != nil {
		return fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	*s = st
	return nil
}

// decodeState decodes a State body of the given format version into the
// current layout.
func decodeState(version byte, body []byte) (State, error) {
	var old stateV3
	var err error
	switch version {
	case 1:
		var v1 stateV1
		_, err = binary.Decode(body, binary.LittleEndian, &v1)
		old = migrateV1(&v1)
	case 2:
		var v2 stateV2
		_, err = binary.Decode(body, binary.LittleEndian, &v2)
		old = migrateV2(&v2)
	case 3:
		_, err = binary.Decode(body, binary.LittleEndian, &old)
	default:
		var st State
		_, err = binary.Decode(body, binary.LittleEndian, &st)
		return st, err
	}
	return migrateV3(&old), err
}

// check rejects states that could not have been produced by Observe in a way
// that matters for safety: indexes out of range and non-finite estimates.
func (s *State) check() error {
	if s.Model > uint8(baseline.ModelWeekly) {
		return fmt.Errorf("seasonal model %d", s.Model)
	}
	if !s.Season.ValidCache() {
		return errors.New("seasonal bucket out of range")
	}
	d := &s.Deploy
	if d.BN > MaxDeployWindow || d.BI >= MaxDeployWindow || d.AN >= MaxDeployWindow {
		return errors.New("deploy window index out of range")
	}
	for _, f := range [...]float64{s.Mag, s.Base.Level, s.Base.Scale, s.Shift.M, s.Shift.RunSum,
		s.Spike.Env.Hi, s.Spike.Env.Lo, s.Drift.Trend.Level, s.Drift.Trend.Slope, s.Dec.Inhib} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return errors.New("non-finite estimate")
		}
	}
	if s.Shift.RunSign < -1 || s.Shift.RunSign > 1 {
		return errors.New("run sign out of range")
	}
	if !s.rarity(false).Valid() || !s.rarity(true).Valid() {
		return errors.New("invalid rarity histogram")
	}
	return nil
}
