package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeCSV writes a NAB-style series: a quiet level with one spike.
func writeCSV(t *testing.T, path string, n, spikeAt int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	t0 := time.Date(2014, 4, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		v := 10 + float64(i%7)*0.1
		if i == spikeAt {
			v = 100
		}
		if i == 5 {
			fmt.Fprintf(&b, "%s,not-a-number\n", t0.Add(time.Duration(i)*5*time.Minute).Format("2006-01-02 15:04:05"))
			continue
		}
		fmt.Fprintf(&b, "%s,%g\n", t0.Add(time.Duration(i)*5*time.Minute).Format("2006-01-02 15:04:05"), v)
	}
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}

func readRows(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestReplaySingleFile(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "s.csv"), filepath.Join(dir, "out.csv")
	writeCSV(t, in, 600, 400)
	var stderr bytes.Buffer
	require.NoError(t, run([]string{"-data", in, "-out", out}, &stderr))
	rows := readRows(t, out)
	require.Len(t, rows, 601)
	assert.Equal(t, "timestamp,value,anomaly_score", rows[0])
	assert.Equal(t, "2014-04-01 00:25:00,not-a-number,0.000000", rows[6], "unparsable value: skipped, score 0")
	// The spike scores high, the quiet part low.
	spike := strings.Split(rows[401], ",")
	assert.Equal(t, "100", spike[1])
	score, err := strconv.ParseFloat(spike[2], 64)
	require.NoError(t, err)
	assert.Greater(t, score, 0.5)
	assert.Equal(t, "0.000000", strings.Split(rows[300], ",")[2])

	// Same input, same output.
	out2 := filepath.Join(dir, "out2.csv")
	require.NoError(t, run([]string{"-data", in, "-out", out2, "-verbose"}, &stderr))
	rows2 := readRows(t, out2)
	for i := 1; i < len(rows); i++ {
		require.True(t, strings.HasPrefix(rows2[i], rows[i]+","), "row %d", i)
	}
	assert.Contains(t, rows2[0], "expected,lower,upper,kind,direction,decision")
	assert.Contains(t, rows2[401], ",spike,up,open")

	// The processor gives the engine's scores: the adapter adds no numerics.
	out3 := filepath.Join(dir, "out3.csv")
	require.NoError(t, run([]string{"-mode", "engine", "-data", in, "-out", out3}, &stderr))
	assert.Equal(t, rows, readRows(t, out3))
	out4 := filepath.Join(dir, "out4.csv")
	require.NoError(t, run([]string{"-mode", "engine", "-data", in, "-out", out4, "-verbose"}, &stderr))
	assert.Contains(t, readRows(t, out4)[0], "kind,direction,decision,seasonal")
}

func TestReplayDirectoryWithLabels(t *testing.T) {
	dir := t.TempDir()
	data, out := filepath.Join(dir, "data"), filepath.Join(dir, "res")
	writeCSV(t, filepath.Join(data, "a", "x.csv"), 100, 50)
	writeCSV(t, filepath.Join(data, "b", "y.csv"), 100, 50)
	labels := filepath.Join(dir, "labels.json")
	require.NoError(t, os.WriteFile(labels, []byte(`{"a/x.csv": []}`), 0o644))
	var stderr bytes.Buffer
	require.NoError(t, run([]string{"-data", data, "-labels", labels, "-out", out}, &stderr))
	assert.FileExists(t, filepath.Join(out, "a", "x.csv"))
	assert.NoFileExists(t, filepath.Join(out, "b", "y.csv"))
	require.NoError(t, run([]string{"-data", data, "-out", out}, &stderr))
	assert.FileExists(t, filepath.Join(out, "b", "y.csv"))
}

func TestReplayErrors(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	assert.Error(t, run([]string{}, &stderr))
	assert.Error(t, run([]string{"-data", filepath.Join(dir, "missing"), "-out", dir}, &stderr))
	in := filepath.Join(dir, "s.csv")
	writeCSV(t, in, 10, 5)
	err := run([]string{"-data", in, "-out", filepath.Join(dir, "o.csv"), "-config", `{"detection": {"threshold": 7}}`}, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "threshold")
	err = run([]string{"-mode", "engine", "-data", in, "-out", filepath.Join(dir, "o.csv"), "-config", `{"Threshold": 7}`}, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "threshold")
	assert.Error(t, run([]string{"-mode", "nope", "-data", in, "-out", dir}, &stderr))
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("timestamp,value\nyesterday,1\n"), 0o644))
	err = run([]string{"-data", bad, "-out", filepath.Join(dir, "o.csv")}, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 2")
}

func TestParseTime(t *testing.T) {
	want := time.Date(2014, 2, 14, 14, 30, 0, 0, time.UTC)
	for _, s := range []string{"2014-02-14 14:30:00", "2014-02-14T14:30:00Z", "1392388200"} {
		got, err := parseTime(s)
		require.NoError(t, err, s)
		assert.True(t, want.Equal(got), s)
	}
}

// TestReplayNAB replays the NAB development split when ../shared is
// present (it is not in every checkout) and checks that every labelled
// file gets one scored row per data row.
func TestReplayNAB(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	var nab string
	for _, c := range []string{"/work/shared/bench/nab", "../../../../../shared/bench/nab"} {
		if _, err := os.Stat(filepath.Join(c, "labels.json")); err == nil {
			nab = c
			break
		}
	}
	if nab == "" {
		t.Skip("NAB data (../shared/bench/nab) not present")
	}
	out := t.TempDir()
	var stderr bytes.Buffer
	require.NoError(t, run([]string{"-data", filepath.Join(nab, "data"), "-labels", filepath.Join(nab, "labels.json"), "-out", out}, &stderr))
	files, err := filepath.Glob(filepath.Join(out, "*", "*.csv"))
	require.NoError(t, err)
	require.Len(t, files, 28)
	for _, f := range files {
		rel, _ := filepath.Rel(out, f)
		in := readRows(t, filepath.Join(nab, "data", rel))
		got := readRows(t, f)
		require.Equal(t, len(in), len(got), rel)
	}
}
