package detector

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStateSize(t *testing.T) {
	// The state must stay fixed-size (binary-encodable, no pointers) and
	// small: the per-series budget is 2 KiB including the table's overhead.
	size := binary.Size(State{})
	require.Positive(t, size, "State must be fixed-size for encoding/binary")
	t.Logf("State: %d bytes encoded", size)
	assert.LessOrEqual(t, size, 1700)
}

func TestSnapshotRoundTrip(t *testing.T) {
	m := MustNew(DefaultConfig())
	pts := series(288*9, 2, weekly)
	for i := range pts {
		pts[i].Version = uint64(1 + i/1000)
	}
	var st State
	for _, p := range pts[:2000] {
		m.Observe(&st, p)
	}
	b, err := st.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, b, SnapshotSize())

	var back State
	require.NoError(t, back.UnmarshalBinary(b))
	b2, _ := back.MarshalBinary()
	require.Equal(t, b, b2, "re-encoding differs")

	// The restored state behaves exactly like the original.
	for _, p := range pts[2000:] {
		v1, v2 := m.Observe(&st, p), m.Observe(&back, p)
		require.Equal(t, v1.Score, v2.Score)
		require.Equal(t, v1.Expected, v2.Expected)
		require.Equal(t, v1.Decision, v2.Decision)
	}
}

// TestSnapshotMigration reads snapshots of the earlier format versions,
// saved by the code of their time (testdata/state_v<N>.bin: 2000 points of
// TestSnapshotRoundTrip's series, with a spike added at point 2300), and
// checks that the restored series goes on exactly as the old code went on
// (testdata/state_v1_verdicts.txt, written by the version-1 code and
// reproduced by the code of versions 2 and 3: score, raw score, expected
// value, upper band and decision of the next 592 points).
func TestSnapshotMigration(t *testing.T) {
	want, err := os.ReadFile("testdata/state_v1_verdicts.txt")
	require.NoError(t, err)
	for _, version := range []byte{1, 2, 3} {
		t.Run("v"+strconv.Itoa(int(version)), func(t *testing.T) {
			old, err := os.ReadFile("testdata/state_v" + strconv.Itoa(int(version)) + ".bin")
			require.NoError(t, err)
			require.Equal(t, version, old[3], "fixture's format version")
			// The processor's store frames records by SnapshotSize: old
			// records must have the same length.
			require.Len(t, old, SnapshotSize())
			var st State
			require.NoError(t, st.UnmarshalBinary(old))
			b, _ := st.MarshalBinary()
			require.Equal(t, byte(snapVersion), b[3], "re-encoded in the current version")
			var again State
			require.NoError(t, again.UnmarshalBinary(b))
			b2, _ := again.MarshalBinary()
			require.Equal(t, b, b2)
			checkVerdictsAfterRestore(t, &st, string(want))
		})
	}
}

func checkVerdictsAfterRestore(t *testing.T, st *State, want string) {
	m := MustNew(DefaultConfig())
	pts := series(288*9, 2, weekly)
	for i := range pts {
		pts[i].Version = uint64(1 + i/1000)
	}
	pts[2300].Value += 60
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	lines := strings.Split(strings.TrimSpace(want), "\n")
	require.Len(t, lines, len(pts)-2000)
	opened := 0
	for i, p := range pts[2000:] {
		v := m.Observe(st, p)
		got := strings.Join([]string{f(v.Score), f(v.Raw), f(v.Expected), f(v.Upper), v.Decision.String()}, " ")
		require.Equal(t, lines[i], got, "point %d", 2000+i)
		if v.Decision == DecisionOpen {
			opened++
		}
	}
	assert.Equal(t, 1, opened, "the fixture covers an anomaly")
}

func TestSnapshotRejectsCorruption(t *testing.T) {
	m := MustNew(DefaultConfig())
	var st State
	for _, p := range series(500, 1, constant(3)) {
		m.Observe(&st, p)
	}
	good, _ := st.MarshalBinary()
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"short", good[:len(good)-1]},
		{"long", append(bytes.Clone(good), 0)},
		{"magic", append([]byte("XXX"), good[3:]...)},
		{"version", func() []byte { b := bytes.Clone(good); b[3] = 99; return b }()},
		{"old version header on a current body", func() []byte { b := bytes.Clone(good); b[3] = 1; return b }()},
		{"flipped bit", func() []byte { b := bytes.Clone(good); b[100] ^= 1; return b }()},
		{"seasonal bucket out of range", func() []byte {
			bad := st
			bad.Season.CurDay = 48
			b, _ := bad.MarshalBinary()
			return b
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s State
			s.N = 42
			err := s.UnmarshalBinary(tt.data)
			require.ErrorIs(t, err, ErrSnapshot)
			assert.Equal(t, uint32(42), s.N, "state changed on error")
		})
	}
}

func FuzzUnmarshalState(f *testing.F) {
	m := MustNew(DefaultConfig())
	var st State
	for _, p := range series(300, 1, constant(3)) {
		m.Observe(&st, p)
	}
	good, _ := st.MarshalBinary()
	f.Add(good)
	f.Add([]byte("RGS\x02"))
	for _, name := range []string{"testdata/state_v1.bin", "testdata/state_v2.bin", "testdata/state_v3.bin"} {
		if old, err := os.ReadFile(name); err == nil {
			f.Add(old)
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s State
		if err := s.UnmarshalBinary(data); err != nil {
			return
		}
		// Whatever decodes must be usable and re-encode to the same bytes
		// (an old format version re-encodes in the current one).
		again, _ := s.MarshalBinary()
		if data[3] == snapVersion && !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs")
		}
		last := s.Last
		for i := int64(1); i <= 50; i++ {
			m.Observe(&s, Point{Time: last + i*step, Value: float64(i)})
		}
	})
}

// FuzzStateBody frames arbitrary bytes as a well-formed snapshot (header,
// length, valid checksum), so the fuzzer exercises the field decoding and
// the sanity checks rather than the checksum: whatever is accepted must be
// safe to observe with.
func FuzzStateBody(f *testing.F) {
	m := MustNew(DefaultConfig())
	var st State
	for _, p := range series(300, 1, constant(3)) {
		m.Observe(&st, p)
	}
	good, _ := st.MarshalBinary()
	f.Add(good[4 : len(good)-4])
	f.Add(make([]byte, 16))
	f.Fuzz(func(t *testing.T, body []byte) {
		want := SnapshotSize() - 8
		if len(body) < want {
			body = append(body, make([]byte, want-len(body))...)
		}
		body = body[:want]
		// Every version's decoding, the migrations of the old layouts
		// included, must reject what is unsafe to observe with.
		for version := byte(1); version <= snapVersion; version++ {
			data := append([]byte{'R', 'G', 'S', version}, body...)
			data = binary.LittleEndian.AppendUint32(data, crc32.Checksum(data, crcTable))
			var s State
			if err := s.UnmarshalBinary(data); err != nil {
				continue
			}
			last := s.Last
			for i := int64(1); i <= 20; i++ {
				v := m.Observe(&s, Point{Time: last + i*step, Value: float64(i % 5), Version: uint64(i / 10)})
				if v.Score < 0 || v.Score > 1 || v.Score != v.Score {
					t.Fatalf("format version %d: score %v out of [0, 1]", version, v.Score)
				}
			}
		}
	})
}
