// Command nabreplay feeds CSV series (NAB format: timestamp,value) one row at a
// time, with no lookahead, through the real regression processor (created by
// its factory; each row becomes a one-point pmetric gauge passed to
// ConsumeMetrics, and the score is read back from the aiops.anomaly.score
// series in the output) and writes timestamp,value,anomaly_score per row, for
// scoring with NAB's rules (../shared/bench/nabscore.py).
//
//	nabreplay -data ../shared/bench/nab/data -labels ../shared/bench/nab/labels.json -out /tmp/results
//	nabreplay -data series.csv -out scored.csv
//
// With -labels only the files listed there are replayed. -config takes a JSON
// object of processor configuration merged over the factory defaults, e.g.
// '{"detection":{"threshold":0.45}}' (the replay always sets emit::mode all).
// -mode engine bypasses the collector adapter and drives the engine directly;
// there -config is merged over the detector configuration (every knob, for
// tuning experiments; durations in nanoseconds). Each file is its own series
// in a fresh processor (or engine), so files do not influence one another.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/engine"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "nabreplay:", err)
		os.Exit(1)
	}
}

type options struct {
	data, labels, out, config, mode string
	verbose                         bool
}

// observer scores one row; extra holds the verbose columns.
type observer interface {
	observe(t time.Time, v float64) (score float64, extra []byte, err error)
	close() error
}

func run(args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("nabreplay", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var o options
	fl.StringVar(&o.data, "data", "", "a CSV file, or a directory searched recursively for *.csv (required)")
	fl.StringVar(&o.labels, "labels", "", "NAB labels JSON: replay only the files it lists (paths relative to -data)")
	fl.StringVar(&o.out, "out", "", "output file (single input) or directory (mirrors the input tree) (required)")
	fl.StringVar(&o.config, "config", "", "JSON merged over the default detector config, e.g. '{\"Threshold\":0.5}'")
	fl.StringVar(&o.mode, "mode", "processor", "processor (the real processor through ConsumeMetrics) or engine (the engine alone)")
	fl.BoolVar(&o.verbose, "verbose", false, "add the expected value, band, kind, direction and decision columns")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if o.data == "" || o.out == "" {
		fl.Usage()
		return errors.New("-data and -out are required")
	}
	var newObserver func() (observer, error)
	switch o.mode {
	case "processor":
		cfg, err := processorConfig(o.config)
		if err != nil {
			return err
		}
		newObserver = func() (observer, error) { return newProcessorObserver(cfg, o.verbose) }
	case "engine":
		cfg := engine.DefaultConfig()
		cfg.MaxSeries = 1
		cfg.IdleTTL = 0
		if o.config != "" {
			if err := json.Unmarshal([]byte(o.config), &cfg.Detector); err != nil {
				return fmt.Errorf("-config: %w", err)
			}
		}
		if err := cfg.Validate(); err != nil {
			return fmt.Errorf("-config: %w", err)
		}
		newObserver = func() (observer, error) {
			eng, err := engine.New(cfg)
			return &engineObserver{eng: eng, verbose: o.verbose}, err
		}
	default:
		return fmt.Errorf("-mode %q: want processor or engine", o.mode)
	}
	header := "timestamp,value,anomaly_score\n"
	if o.verbose {
		header = "timestamp,value,anomaly_score,raw,expected,lower,upper,kind,direction,decision,seasonal\n"
		if o.mode == "processor" {
			header = "timestamp,value,anomaly_score,expected,lower,upper,kind,direction,decision\n"
		}
	}

	fi, err := os.Stat(o.data)
	if err != nil {
		return fmt.Errorf("-data: %w", err)
	}
	if !fi.IsDir() {
		return replayFile(o.data, o.out, newObserver, header)
	}
	rels, err := listFiles(o.data, o.labels)
	if err != nil {
		return err
	}
	for _, rel := range rels {
		dst := filepath.Join(o.out, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := replayFile(filepath.Join(o.data, rel), dst, newObserver, header); err != nil {
			return err
		}
	}
	_, _ = fmt.Fprintf(stderr, "nabreplay: %d files written under %s\n", len(rels), o.out)
	return nil
}

// listFiles returns the CSV files to replay, relative to dir, sorted.
func listFiles(dir, labels string) ([]string, error) {
	var rels []string
	if labels != "" {
		b, err := os.ReadFile(labels)
		if err != nil {
			return nil, fmt.Errorf("-labels: %w", err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("-labels %s: %w (want {\"dir/file.csv\": [[start, end], ...]})", labels, err)
		}
		for rel := range m {
			rels = append(rels, filepath.FromSlash(rel))
		}
	} else {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".csv") {
				rel, err := filepath.Rel(dir, p)
				if err != nil {
					return err
				}
				rels = append(rels, rel)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(rels)
	return rels, nil
}

func replayFile(src, dst string, newObserver func() (observer, error), header string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	obs, err := newObserver()
	if err != nil {
		_ = out.Close()
		return err
	}
	w := bufio.NewWriter(out)
	err = replay(in, w, obs, header)
	if cerr := obs.close(); err == nil {
		err = cerr
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	return nil
}

// replay reads timestamp,value rows from r (after a header) and writes
// timestamp,value,anomaly_score rows to w. A row whose value does not parse
// is fed as NaN (skipped by the engine, score 0); a bad timestamp is an
// error.
func replay(r io.Reader, w io.Writer, obs observer, header string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return err
		}
		return errors.New("empty file")
	}
	if _, err := io.WriteString(w, header); err != nil {
		return err
	}
	var buf []byte
	for line := 2; sc.Scan(); line++ {
		row := strings.TrimRight(sc.Text(), "\r")
		if row == "" {
			continue
		}
		ts, val, ok := strings.Cut(row, ",")
		if !ok {
			return fmt.Errorf("line %d: want timestamp,value", line)
		}
		if i := strings.IndexByte(val, ','); i >= 0 {
			val = val[:i]
		}
		t, err := parseTime(strings.TrimSpace(ts))
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			v = nan()
		}
		score, extra, err := obs.observe(t, v)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		buf = append(buf[:0], ts...)
		buf = append(buf, ',')
		buf = append(buf, val...)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, score, 'f', 6, 64)
		buf = append(buf, extra...)
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return sc.Err()
}

// engineObserver drives the engine directly (-mode engine).
type engineObserver struct {
	eng     *engine.Engine
	verbose bool
	buf     []byte
}

var engineKey = series.KeyOf("nabreplay")

func (o *engineObserver) close() error { return nil }

func (o *engineObserver) observe(t time.Time, v float64) (float64, []byte, error) {
	vd := o.eng.Observe(engineKey, detector.Point{Time: t.UnixNano(), Value: v})
	buf := o.buf[:0]
	if o.verbose {
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, vd.Raw, 'f', 6, 64)
		for _, f := range [...]float64{vd.Expected, vd.Lower, vd.Upper} {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, f, 'g', 8, 64)
		}
		buf = append(buf, ',')
		buf = append(buf, vd.Kind.String()...)
		buf = append(buf, ',')
		buf = append(buf, vd.Direction.String()...)
		buf = append(buf, ',')
		buf = append(buf, vd.Decision.String()...)
		buf = append(buf, ',')
		buf = append(buf, baseline.Model(vd.Seasonal).String()...)
	}
	o.buf = buf
	return vd.Score, buf, nil
}

var timeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04:05.999999999", time.RFC3339Nano}

// parseTime accepts NAB's "YYYY-MM-DD HH:MM:SS" (UTC), RFC 3339 and Unix
// seconds.
func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot parse timestamp %q (want YYYY-MM-DD HH:MM:SS, RFC 3339 or Unix seconds)", s)
}

func nan() float64 { return math.NaN() }
