// Package canary compares versions of one series that report side by side
// (a canary next to the baseline version): the canary's latest window of
// points against the baseline's points over the same time span, with the
// Mann–Whitney rank test gated by the effect size and the relative change of
// the median — the same test as the post-change detector, but between two
// concurrent versions instead of before and after a change.
//
// Which version is the baseline: the one that started first — the start
// time of its points when they carry one (a cumulative stream's start is its
// process start), else the time of its first point — and on a tie the one
// whose point arrived first. Every other live version is a canary compared
// against it.
//
// It imports no collector package, owns no goroutine and reads no clock:
// liveness and expiry are measured in data time.
package canary

import (
	"math"
	"strings"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/ranktest"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

// Role is what a point's version is to its identity.
type Role uint8

const (
	// RoleOnly: the only live version; the series is followed as usual.
	RoleOnly Role = iota
	// RoleBaseline: the baseline of a side-by-side comparison.
	RoleBaseline
	// RoleCanary: a canary, judged by the comparison against the baseline.
	RoleCanary
	// RoleCapped: a further version that is not compared (see Verdict.Cap).
	RoleCapped
)

// Cap says which bound left a version out of the comparison.
type Cap uint8

const (
	CapNone     Cap = iota
	CapVersions     // the identity already has MaxVersions live versions
	CapGroups       // MaxGroups identities are already compared
)

// Verdict is the result of observing one point.
type Verdict struct {
	Role Role
	Cap  Cap
	// Compared is true when this point completed a canary window and the
	// comparison was made; Score, Effect and RelChange are then set.
	Compared bool
	// Decision is Open when a comparison first flags the canary, Ongoing
	// while later ones still do, Close when one no longer does (or the
	// canary stopped being a canary: promoted, or its baseline changed).
	Decision  detector.Decision
	Direction detector.Direction
	// Score is 0 when the gates do not pass, else in [0.6, 1] (0.6 at
	// p = MaxP, +0.1 per decade below).
	Score float64
	// Effect is Cliff's delta of the canary against the baseline, in
	// [−1, 1]; RelChange the relative change of the median (+0.3 = 30 %
	// higher).
	Effect, RelChange float64
	// Version and Baseline name the versions compared.
	Version, Baseline string
	// Skip says why a canary's point did not enter its window (NaN/±Inf, or
	// not newer than the version's latest point).
	Skip detector.Skip
}

type sample struct {
	t int64
	v float64
}

// window is a version's ring of its latest 2 × Window points while its
// identity is compared.
type window struct {
	buf     []sample
	head, n int
	since   int // points since the last comparison
}

func (w *window) push(s sample) {
	if w.n < len(w.buf) {
		w.buf[(w.head+w.n)%len(w.buf)] = s
		w.n++
		return
	}
	w.buf[w.head] = s
	w.head = (w.head + 1) % len(w.buf)
}

func (w *window) at(i int) sample { return w.buf[(w.head+i)%len(w.buf)] }

// Watch is what is kept of a versioned identity with one live version: all
// that is needed to notice a second one (24 bytes). The caller keeps it
// with the identity's other per-series state (the engine's slot), so a
// point costs no lookup of its own; the zero Watch is an identity not seen
// yet, or one whose versions are compared (then the tracker holds a group).
type Watch struct {
	hash        uint64 // the live version (0 = none)
	first, last int64  // data time of the version's start and latest point
}

type version struct {
	hash        uint64
	name        string
	first, last int64 // data time of the start and the latest point
	win         *window
	open        bool // a regression against `against` is open
	dir         detector.Direction
	against     string
}

// group is an identity with two or more live versions: it is compared.
type group struct {
	vers   [maxVersionsLimit]version
	n      uint8
	latest int64 // the latest data time of any version
}

// Tracker follows the versions of every versioned identity: a Watch per
// identity, kept by the caller, and a group with a window per version for
// the (at most MaxGroups) identities with versions side by side. It is not
// safe for concurrent use: the adapter serialises calls.
type Tracker struct {
	cfg    Config
	groups map[series.Key]*group
}

// New builds a tracker.
func New(cfg Config) (*Tracker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Tracker{
		cfg:    cfg,
		groups: make(map[series.Key]*group),
	}, nil
}

// Comparing returns the number of identities compared now.
func (t *Tracker) Comparing() int { return len(t.groups) }

// Expire forgets the compared identities without points for VersionTTL
// before now (data time) and returns how many went. A Watch needs no
// expiry: a version silent for VersionTTL is replaced at the next point.
func (t *Tracker) Expire(now int64) int {
	n := 0
	for k, g := range t.groups { // at most MaxGroups
		if now-g.latest > int64(t.cfg.VersionTTL) {
			delete(t.groups, k)
			n++
		}
	}
	return n
}

// Point is one value of a version of an identity.
type Point struct {
	Version uint64 // hash of the version attribute's value, not 0
	Name    string // the version attribute's value
	Start   int64  // start time of the point (Unix ns, 0 = unknown)
	Time    int64  // Unix ns
	Value   float64
}

// started is when the point's version started: its start time when known
// and earlier, else its time.
func (p *Point) started() int64 {
	if p.Start > 0 && p.Start < p.Time {
		return p.Start
	}
	return p.Time
}

// Observe records point p of identity k, whose Watch is w, and writes to
// out the role of its version and, when the point completes a canary
// window, the comparison. Through out, not returned: see
// detector.Model.ObserveMemo.
func (t *Tracker) Observe(k series.Key, w *Watch, p *Point, out *Verdict) {
	if len(t.groups) > 0 { // usually none: skip hashing k into the map
		if g := t.groups[k]; g != nil {
			*out = t.observeGroup(k, w, g, p)
			return
		}
	}
	ts := p.Time
	*out = Verdict{}
	switch {
	case w.hash == 0:
		*w = Watch{hash: p.Version, first: p.started(), last: ts}
	case w.hash == p.Version:
		w.last = max(w.last, ts)
	case ts-w.last > int64(t.cfg.VersionTTL):
		*w = Watch{hash: p.Version, first: p.started(), last: ts} // the old version had stopped: a deploy, not a canary
	case len(t.groups) >= t.cfg.MaxGroups:
		out.Role, out.Cap = RoleCapped, CapGroups
		return
	default:
		g := &group{latest: w.last}
		g.add(version{hash: w.hash, first: w.first, last: w.last}, t.cfg.Window) // named at its next point
		*w = Watch{}
		t.groups[k] = g
		*out = t.observeGroup(k, w, g, p)
		return
	}
	out.Role = RoleOnly
}

// observeGroup records a point of a compared identity.
func (t *Tracker) observeGroup(k series.Key, w *Watch, g *group, p *Point) Verdict {
	ts, v := p.Time, p.Value
	g.latest = max(g.latest, ts)
	g.prune(int64(t.cfg.VersionTTL))
	i := g.find(p.Version)
	if i < 0 {
		if int(g.n) == t.cfg.MaxVersions {
			return Verdict{Role: RoleCapped, Cap: CapVersions}
		}
		i = g.add(version{hash: p.Version, first: p.started(), last: ts}, t.cfg.Window)
	}
	vs := &g.vers[i]
	if vs.name == "" {
		vs.name = strings.Clone(p.Name) // outlives the batch
	}
	vs.last = max(vs.last, ts)
	skip := detector.SkipNone
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		skip = detector.SkipInvalid
	case vs.win.n > 0 && ts <= vs.win.at(vs.win.n-1).t:
		skip = detector.SkipOutOfOrder
	default:
		vs.win.push(sample{ts, v})
	}
	if g.n < 2 { // the other versions stopped: back to watching this one
		out := closeOpen(vs, Verdict{Role: RoleOnly})
		delete(t.groups, k)
		*w = Watch{hash: vs.hash, first: vs.first, last: vs.last}
		return out
	}
	base := g.baseline()
	if i == base {
		return closeOpen(vs, Verdict{Role: RoleBaseline})
	}
	out := Verdict{Role: RoleCanary, Skip: skip, Version: vs.name, Baseline: g.vers[base].name}
	if vs.open && out.Baseline != "" && vs.against != out.Baseline { // "": named at its next point
		return closeOpen(vs, out)
	}
	if skip == detector.SkipNone {
		vs.win.since++
	}
	if vs.win.since >= t.cfg.Window {
		t.judge(vs, &g.vers[base], &out)
	}
	return out
}

// judge compares the canary's latest Window points with the baseline's
// points over the same time span, once the baseline has at least half a
// window there, and moves the canary's decision.
func (t *Tracker) judge(c, b *version, out *Verdict) {
	w := t.cfg.Window
	cw, bw := c.win, b.win
	var cbuf [MaxWindow]float64
	var bbuf [2 * MaxWindow]float64
	cs, bs := cbuf[:0], bbuf[:0]
	for i := cw.n - w; i < cw.n; i++ {
		cs = append(cs, cw.at(i).v)
	}
	from, to := cw.at(cw.n-w).t, cw.at(cw.n-1).t
	for i := 0; i < bw.n; i++ {
		if s := bw.at(i); s.t >= from && s.t <= to {
			bs = append(bs, s.v)
		}
	}
	if len(bs) < w/2 {
		return // the baseline has not reported enough over this span yet
	}
	cw.since = 0
	r := ranktest.Compare(bs, cs)
	out.Compared, out.Effect, out.RelChange = true, r.Delta, r.RelChange()
	flagged := r.P <= t.cfg.MaxP && math.Abs(r.Delta) >= t.cfg.MinEffect && math.Abs(out.RelChange) >= t.cfg.MinRelChange
	switch {
	case flagged:
		out.Score = min(1, 0.6+0.1*math.Log10(t.cfg.MaxP/max(r.P, 1e-300)))
		out.Direction = direction(out.RelChange)
		out.Decision = detector.DecisionOngoing
		if !c.open {
			out.Decision = detector.DecisionOpen
			c.open, c.dir, c.against = true, out.Direction, out.Baseline
		}
	case c.open:
		*out = closeOpen(c, *out)
	}
}

// closeOpen turns out into the close of c's open regression, if any.
func closeOpen(c *version, out Verdict) Verdict {
	if !c.open {
		return out
	}
	out.Decision, out.Direction = detector.DecisionClose, c.dir
	out.Version, out.Baseline = c.name, c.against
	c.open, c.dir, c.against = false, detector.DirNone, ""
	return out
}

func direction(x float64) detector.Direction {
	switch {
	case x > 0:
		return detector.DirUp
	case x < 0:
		return detector.DirDown
	}
	return detector.DirNone
}

// prune drops the versions without points for ttl before the latest.
func (g *group) prune(ttl int64) {
	for j := int(g.n) - 1; j >= 0; j-- {
		if g.latest-g.vers[j].last > ttl {
			copy(g.vers[j:g.n], g.vers[j+1:g.n])
			g.n--
			g.vers[g.n] = version{}
		}
	}
}

func (g *group) find(ver uint64) int {
	for j := 0; j < int(g.n); j++ {
		if g.vers[j].hash == ver {
			return j
		}
	}
	return -1
}

// add appends v with an empty window of 2 × size points.
func (g *group) add(v version, size int) int {
	v.win = &window{buf: make([]sample, 2*size)}
	g.vers[g.n] = v
	g.n++
	return int(g.n) - 1
}

// baseline returns the index of the baseline version: the first started
// (data time), on a tie the first to arrive. Point counts are not a tie-break:
// they alternate between versions and would flip the roles.
func (g *group) baseline() int {
	b := 0
	for j := 1; j < int(g.n); j++ {
		if g.vers[j].first < g.vers[b].first {
			b = j
		}
	}
	return b
}
