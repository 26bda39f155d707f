// Package engine ties the regression detectors to bounded per-series state:
// Observe(key, point) finds (or creates) the series' State in a bounded
// table, runs the detector Model on it and returns the Verdict. It is the
// whole numeric core the processor adapter calls under its one mutex; it
// imports no collector package, owns no goroutine and reads no clock.
package engine

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/canary"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

// Config bounds the engine and configures its default model.
type Config struct {
	// MaxSeries bounds the number of series (least recently seen evicted).
	MaxSeries int
	// IdleTTL expires series without points for this long, in data time
	// (see Expire). 0 keeps them until evicted.
	IdleTTL time.Duration
	// Detector is the configuration of the default model.
	Detector detector.Config
}

// DefaultConfig returns the default engine configuration.
func DefaultConfig() Config {
	return Config{
		MaxSeries: 100_000,
		IdleTTL:   24 * time.Hour,
		Detector:  detector.DefaultConfig(),
	}
}

// Validate reports every invalid field at once.
func (c *Config) Validate() error {
	var errs []error
	if c.MaxSeries < 1 {
		errs = append(errs, fmt.Errorf("max_series = %d: must be at least 1", c.MaxSeries))
	}
	if c.IdleTTL < 0 {
		errs = append(errs, fmt.Errorf("idle_ttl = %v: must not be negative (0 = no expiry)", c.IdleTTL))
	}
	if err := c.Detector.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Stats are the engine's counters since it was created; the adapter turns
// them into self-metrics.
type Stats struct {
	Points     uint64 // points evaluated
	Invalid    uint64 // NaN/±Inf values skipped
	OutOfOrder uint64 // points not newer than the series' last one, skipped
	Created    uint64 // series created
	Evicted    uint64 // series evicted because the table was full
	Expired    uint64 // series removed by Expire
	Restored   uint64 // series restored from snapshots
	Series     int    // series held now
}

// Engine is the per-series detection engine. It is not safe for concurrent
// use: the adapter serialises calls.
type Engine struct {
	table *series.Table[slot]
	model *detector.Model
	memo  detector.Memo
	stats Stats
}

// New builds an engine.
func New(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m, err := detector.New(cfg.Detector)
	if err != nil {
		return nil, err
	}
	return &Engine{
		table: series.NewTable[slot](cfg.MaxSeries, cfg.IdleTTL),
		model: m,
	}, nil
}

// Model returns the default model.
func (e *Engine) Model() *detector.Model { return e.model }

// Observe evaluates one point of series k with the default model.
func (e *Engine) Observe(k series.Key, p detector.Point) detector.Verdict {
	var v detector.Verdict
	e.ObserveWith(k, e.model, p, &v)
	return v
}

// ObserveWith evaluates one point of series k with model m (per-metric
// overrides) into v. A series should always be observed with the same
// model.
func (e *Engine) ObserveWith(k series.Key, m *detector.Model, p detector.Point, v *detector.Verdict) {
	sl := e.get(k, p.Time)
	e.observe(sl, m, p, v)
}

// ObserveVersion evaluates point cp of series k, which carries a version,
// with the canary tracker tr first, its verdict to cv (the series' Watch is
// kept in its slot, so the point costs one lookup), then the model, its
// verdict to v. While versions run side by side the series' baseline
// follows the baseline version only: the points of a canary (judged by tr)
// or of a version over a cap are not scored: scored is false and v zero.
func (e *Engine) ObserveVersion(k series.Key, m *detector.Model, tr *canary.Tracker, cp *canary.Point, cv *canary.Verdict, v *detector.Verdict) (scored bool) {
	sl := e.get(k, cp.Time)
	tr.Observe(k, &sl.watch, cp, cv)
	if cv.Role == canary.RoleCanary || cv.Role == canary.RoleCapped {
		*v = detector.Verdict{}
		return false
	}
	e.observe(sl, m, detector.Point{Time: cp.Time, Value: cp.Value, Version: cp.Version}, v)
	return true
}

func (e *Engine) get(k series.Key, now int64) *slot {
	sl, res, _ := e.table.Get(k, now) // never fails: eviction is on
	if res.Created {
		e.stats.Created++
	}
	if res.Evicted {
		e.stats.Evicted++
	}
	return sl
}

func (e *Engine) observe(sl *slot, m *detector.Model, p detector.Point, v *detector.Verdict) {
	m.ObserveMemo(&sl.st, p, &e.memo, v)
	switch v.Skip {
	case detector.SkipInvalid:
		e.stats.Invalid++
	case detector.SkipOutOfOrder:
		e.stats.OutOfOrder++
	default:
		e.stats.Points++
	}
}

// Expire removes series whose last point is older than the idle TTL before
// now (a data time, or the wall clock in a live collector) and returns how
// many went.
func (e *Engine) Expire(now time.Time) int {
	n := e.table.Expire(now.UnixNano(), nil)
	e.stats.Expired += uint64(n)
	return n
}

// Forget removes series k.
func (e *Engine) Forget(k series.Key) bool { return e.table.Delete(k) }

// Len returns the number of series held.
func (e *Engine) Len() int { return e.table.Len() }

// Stats returns the counters.
func (e *Engine) Stats() Stats {
	s := e.stats
	s.Series = e.table.Len()
	return s
}

// Snapshot appends the encoded state of series k to dst; ok is false when
// the series is unknown.
func (e *Engine) Snapshot(dst []byte, k series.Key) (out []byte, ok bool) {
	sl := e.table.Peek(k)
	if sl == nil {
		return dst, false
	}
	return sl.st.AppendBinary(dst), true
}

// Restore replaces (or creates) the state of series k from a snapshot made by
// Snapshot. A snapshot that does not decode leaves the engine unchanged.
func (e *Engine) Restore(k series.Key, data []byte) error {
	var st detector.State
	if err := st.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("series %s: %w", k, err)
	}
	p, res, err := e.table.Get(k, st.LastTime())
	if err != nil {
		return err
	}
	if res.Evicted {
		e.stats.Evicted++
	}
	*p = slot{st: st}
	e.stats.Restored++
	return nil
}

// Range calls fn for every series from the least to the most recently seen,
// with its last data time, until fn returns false (for example to snapshot
// all series). fn must not call back into the engine.
func (e *Engine) Range(fn func(k series.Key, last int64, st *detector.State) bool) {
	e.table.Range(func(k series.Key, last int64, sl *slot) bool { return fn(k, last, &sl.st) })
}

// slot is what the table keeps per series: the reference point of a
// cumulative counter, the canary tracker's watch of the series' version
// (neither persisted: after a restore the first cumulative point only sets
// the reference again, and the first versioned point the watch) and the
// detector state. They come first, next to the table's per-series header
// and the state's per-point fields, so they touch no extra cache line.
type slot struct {
	cum   cumulative
	watch canary.Watch
	st    detector.State
}

type cumulative struct {
	Start int64   // start time of the counter (0 = unknown)
	Time  int64   // time of the reference point
	Value float64 // the reference value
	Set   bool
}

// RateSkip says why ObserveRate did not evaluate a counter point.
type RateSkip uint8

const (
	RateOK         RateSkip = iota
	RateFirst               // no reference yet (a new series, or the first point after a restart): only the reference was set
	RateReset               // counter reset or new start time: only the reference was set
	RateOutOfOrder          // not newer than the reference point
	RateInvalid             // NaN or ±Inf
)

// ObserveRate evaluates a point of a cumulative monotonic counter of series
// k as a rate per second over the interval since the previous point. The
// first point, a decrease (counter reset) or a new start time only set the
// reference; then rs says so and the verdict v is zero.
func (e *Engine) ObserveRate(k series.Key, m *detector.Model, start, t int64, cum float64, version uint64, v *detector.Verdict) RateSkip {
	if math.IsNaN(cum) || math.IsInf(cum, 0) {
		e.stats.Invalid++
		*v = detector.Verdict{Skip: detector.SkipInvalid}
		return RateInvalid
	}
	sl := e.get(k, t)
	c := &sl.cum
	switch {
	case c.Set && t <= c.Time:
		e.stats.OutOfOrder++
		*v = detector.Verdict{Skip: detector.SkipOutOfOrder}
		return RateOutOfOrder
	case !c.Set:
		*c = cumulative{Start: start, Time: t, Value: cum, Set: true}
		*v = detector.Verdict{}
		return RateFirst
	case cum < c.Value || (start != 0 && c.Start != 0 && start != c.Start):
		*c = cumulative{Start: start, Time: t, Value: cum, Set: true}
		*v = detector.Verdict{}
		return RateReset
	}
	rate := (cum - c.Value) / (float64(t-c.Time) / 1e9)
	*c = cumulative{Start: start, Time: t, Value: cum, Set: true}
	e.observe(sl, m, detector.Point{Time: t, Value: rate, Version: version}, v)
	return RateOK
}
