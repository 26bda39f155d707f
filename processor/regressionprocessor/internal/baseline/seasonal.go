package baseline

import "math"

const (
	// DailyBuckets is the resolution of the time-of-day profile (30 minutes).
	DailyBuckets = 48
	// WeeklyBuckets is the resolution of the day-of-week correction (2 hours).
	WeeklyBuckets = 84

	nsPerDay  = int64(86400e9)
	nsPerWeek = 7 * nsPerDay
)

// Model says which seasonal model a series uses.
type Model uint8

const (
	ModelFlat   Model = iota // no seasonality: expected = level
	ModelDaily               // level + time-of-day offset
	ModelWeekly              // level + time-of-day offset + day-of-week correction
)

func (m Model) String() string {
	switch m {
	case ModelDaily:
		return "daily"
	case ModelWeekly:
		return "weekly"
	}
	return "flat"
}

// Profile is a learned additive seasonal profile: the mean value of each
// 30-minute time-of-day bucket with its own residual scale (so a busy hour
// may be noisier than a quiet one), and a coarser day-of-week correction
// learned on what the daily profile leaves. The offset of a bucket is its
// mean minus the mean over all buckets (Ref), which has no daily ripple.
// Times are UTC from the data timestamps.
//
// It also keeps the mean absolute error of the flat, daily and weekly models,
// so the caller can use a seasonal model only when it explains the data
// clearly better (Choose). Unseen buckets hold NaN.
//
// Layout: a point reads and writes the scalars and one bucket of each
// array, the buckets of its slot. Those of the slot last used are kept
// with the scalars (Cur…; the arrays' entries for them are stale), so
// that while a series stays in one slot (a time-of-day bucket lasts 30
// minutes, a day-of-week bucket 2 hours) its points touch only the
// profile's first 65 bytes, next to the caller's other per-point fields;
// the arrays cost a few cache lines per slot change instead of four per
// point.
type Profile struct {
	// Mean absolute errors of the models: short memory (flat vs daily) and
	// long memory (…L: daily vs weekly, which needs weeks to compare).
	ErrFlat, ErrDaily, ErrFlatL, ErrDailyL, ErrWeeklyL float32
	Ref                                                float64 // median of the bucket means (see RefLevel)
	First                                              int64   // first timestamp learned (Unix ns)
	Prev                                               int64   // previous timestamp learned
	PrevDay, PrevWeek                                  uint8   // buckets of the previous point
	VisitN                                             uint16
	Init                                               bool

	// The buckets kept with the scalars: time-of-day bucket CurDay and
	// day-of-week bucket CurWeek (noBucket: none), see cache.
	CurDay, CurWeek           uint8
	CurDayVisits, CurWkVisits uint8
	CurWeekOff                float32
	CurDayBucket              DayBucket

	Day       [DailyBuckets]DayBucket
	Week      [WeeklyBuckets]float32
	DayVisits [DailyBuckets]uint8 // days on which the bucket was seen (saturating)
	WkVisits  [WeeklyBuckets]uint8
}

// noBucket marks an empty Cur… bucket.
const noBucket = 0xff

// cache makes the buckets of slot s the ones kept with the scalars,
// writing the previous ones back to their arrays.
func (p *Profile) cache(s Slot) {
	if d := uint8(s.Day); d != p.CurDay {
		if p.CurDay != noBucket {
			p.Day[p.CurDay], p.DayVisits[p.CurDay] = p.CurDayBucket, p.CurDayVisits
		}
		p.CurDay, p.CurDayBucket, p.CurDayVisits = d, p.Day[d], p.DayVisits[d]
	}
	if w := uint8(s.Week); w != p.CurWeek {
		if p.CurWeek != noBucket {
			p.Week[p.CurWeek], p.WkVisits[p.CurWeek] = p.CurWeekOff, p.CurWkVisits
		}
		p.CurWeek, p.CurWeekOff, p.CurWkVisits = w, p.Week[w], p.WkVisits[w]
	}
}

// day returns time-of-day bucket i and its visits, wherever they are kept.
func (p *Profile) day(i int) (*DayBucket, *uint8) {
	if i == int(p.CurDay) {
		return &p.CurDayBucket, &p.CurDayVisits
	}
	return &p.Day[i], &p.DayVisits[i]
}

// week returns day-of-week bucket i and its visits, wherever they are kept.
func (p *Profile) week(i int) (*float32, *uint8) {
	if i == int(p.CurWeek) {
		return &p.CurWeekOff, &p.CurWkVisits
	}
	return &p.Week[i], &p.WkVisits[i]
}

// ValidCache reports whether the Cur… buckets name buckets that exist (for
// decoded snapshots).
func (p *Profile) ValidCache() bool {
	return (p.CurDay < DailyBuckets || p.CurDay == noBucket) && (p.CurWeek < WeeklyBuckets || p.CurWeek == noBucket)
}

// Uncache keeps no bucket with the scalars: the arrays hold every bucket
// (a new profile, or one decoded from a layout without the Cur… fields).
func (p *Profile) Uncache() {
	p.CurDay, p.CurWeek = noBucket, noBucket
	p.CurDayVisits, p.CurWkVisits, p.CurWeekOff, p.CurDayBucket = 0, 0, 0, DayBucket{}
}

// DayBucket is the learned mean and residual scale of one time-of-day
// bucket (NaN while unseen).
type DayBucket struct {
	Off, Scale float32
}

// Slot is where a timestamp falls in the profile.
type Slot struct {
	Day  int // time-of-day bucket
	Week int // day-of-week bucket
}

// SlotOf maps a Unix-nanosecond timestamp to its buckets.
func SlotOf(ts int64) Slot {
	tod := ts % nsPerDay
	if tod < 0 {
		tod += nsPerDay
	}
	tow := ts % nsPerWeek
	if tow < 0 {
		tow += nsPerWeek
	}
	return Slot{
		Day:  int(tod * DailyBuckets / nsPerDay),
		Week: int(tow * WeeklyBuckets / nsPerWeek),
	}
}

func (p *Profile) reset() {
	nan := float32(math.NaN())
	for i := range p.Day {
		p.Day[i] = DayBucket{nan, nan}
	}
	for i := range p.Week {
		p.Week[i] = nan
	}
	p.DayVisits = [DailyBuckets]uint8{}
	p.WkVisits = [WeeklyBuckets]uint8{}
	p.ErrFlat, p.ErrDaily, p.ErrFlatL, p.ErrDailyL, p.ErrWeeklyL = 0, 0, 0, 0, 0
	p.Ref = 0
	p.PrevDay, p.PrevWeek = 0xff, 0xff
	p.VisitN = 0
	p.Uncache()
	p.Init = true
}

func val(f float32) (float64, bool) {
	if f != f { // NaN: unseen
		return 0, false
	}
	return float64(f), true
}

// RefLevel is the reference level: the median of the time-of-day bucket
// means, recomputed at each new bucket visit. A median, so that a series
// that is zero most of the day and busy in bursts is not mistaken for a
// seasonal one.
func (p *Profile) RefLevel() float64 { return p.Ref }

func (p *Profile) updateRef() {
	var buf [DailyBuckets]float32
	n := 0
	for i := range p.Day {
		b, _ := p.day(i)
		if m := b.Off; m == m {
			// insertion sort into buf[:n]
			j := n
			for j > 0 && buf[j-1] > m {
				buf[j] = buf[j-1]
				j--
			}
			buf[j] = m
			n++
		}
	}
	switch {
	case n == 0:
		p.Ref = 0
	case n%2 == 1:
		p.Ref = float64(buf[n/2])
	default:
		p.Ref = (float64(buf[n/2-1]) + float64(buf[n/2])) / 2
	}
}

// Offset returns the seasonal offset from the level under model m at slot s.
func (p *Profile) Offset(m Model, s Slot) float64 {
	if m == ModelFlat || !p.Init {
		return 0
	}
	b, _ := p.day(s.Day)
	o, ok := val(b.Off)
	if !ok {
		return 0
	}
	o -= p.Ref
	if m == ModelWeekly {
		wk, _ := p.week(s.Week)
		w, _ := val(*wk)
		o += w
	}
	return o
}

// BucketScale returns the learned residual scale of the time-of-day bucket,
// or 0 when unseen.
func (p *Profile) BucketScale(s Slot) float64 {
	if !p.Init {
		return 0
	}
	b, _ := p.day(s.Day)
	v, _ := val(b.Scale)
	return v
}

// SeasonalParams are the learning weights of a Profile.
type SeasonalParams struct {
	DayAlpha     float64 // weight of one day's visit in a time-of-day bucket
	WeekAlpha    float64 // weight of one week's visit in a day-of-week bucket
	ErrHalfLife  int64   // ns, half-life of the short model-error averages
	ErrHalfLifeL int64   // ns, half-life of the long model-error averages
	Clip         float64 // clip, in bucket scales
	DailyGain    float64 // use daily when ErrDaily < DailyGain·ErrFlat
	WeeklyGain   float64 // use weekly when ErrWeeklyL < WeeklyGain·ErrDailyL
	MinDaily     int64   // ns of history before the daily model may be used
	MinWeekly    int64   // ns of history before the weekly model may be used
	AllowWeek    bool
}

// minVisits is how many days a time-of-day bucket must have been seen
// (including the current one) before a seasonal model may use it: two
// earlier days, so an immature profile does not alarm.
const minVisits = 3

const (
	dayBucketNs  = nsPerDay / DailyBuckets
	weekBucketNs = nsPerWeek / WeeklyBuckets
)

// visitAlpha spreads the weight of one visit of a bucket over its points:
// a point that covers dt of a bucket of length span gets 1-(1-a)^(dt/span),
// so the profile learns at the same speed per day whatever the sampling
// interval.
func visitAlpha(a float64, dt, span int64) float64 {
	if dt <= 0 || dt >= span {
		return a
	}
	return 1 - math.Pow(1-a, float64(dt)/float64(span))
}

// SeasonStep holds what Learn derives from the time step dt alone: the
// weights of a point in the short and long model errors and the per-point
// visit weights of DayAlpha and WeekAlpha (see visitAlpha). Series scraped
// at the same interval share them, so a caller can compute them once per
// step length instead of once per point (two exponentials and two powers).
type SeasonStep struct {
	Dt         int64
	ErrS, ErrL float32
	Day, Week  float64
	// Early[v-1] is the visit weight of a bucket on its v-th visit, while
	// that visit's running-mean weight 1/v is above DayAlpha (see Learn);
	// 0 past it.
	Early [earlyVisits]float64
}

// earlyVisits bounds the visits whose weight Step computes ahead: with the
// default DayAlpha (0.4) only the first two visit weigh more.
const earlyVisits = 4

// earlyAlpha returns the weight of a day's visit when it is the bucket's
// visits-th: a running mean of the visits until DayAlpha takes over.
func (q *SeasonalParams) earlyAlpha(visits uint8) (float64, bool) {
	ad := max(q.DayAlpha, 1/float64(visits))
	return ad, ad != q.DayAlpha
}

// Step returns the weights of a step of dt nanoseconds.
func (q *SeasonalParams) Step(dt int64) SeasonStep {
	w := SeasonStep{
		Dt:   dt,
		ErrS: 1,
		ErrL: 1,
		Day:  visitAlpha(q.DayAlpha, dt, dayBucketNs),
		Week: visitAlpha(q.WeekAlpha, dt, weekBucketNs),
	}
	for v := range uint8(earlyVisits) {
		if ad, early := q.earlyAlpha(v + 1); early {
			w.Early[v] = visitAlpha(ad, dt, dayBucketNs)
		}
	}
	if dt > 0 {
		w.ErrS = float32(1 - DecayFor(float64(dt), float64(q.ErrHalfLife)))
		w.ErrL = float32(1 - DecayFor(float64(dt), float64(q.ErrHalfLifeL)))
	}
	return w
}

// Learn updates the profile with the point (ts, x). scale is the series'
// robust scale (the first guess of a new bucket's scale) and floor the
// smallest scale used for clipping.
//
// A bucket's mean learns one visit (day) at a time with weight DayAlpha,
// spread over the visit's points, and as a plain mean during its first
// visits. The day-of-week correction learns on what the bucket mean leaves.
// The model errors compare x with Ref (flat), with the bucket mean (daily)
// and with both corrections (weekly), only on buckets learned on an earlier
// day, so a profile that merely follows the current level within a visit is
// not mistaken for seasonality.
//
// w holds the weights of the step since the previous point; when it is nil
// or for another step they are computed here.
func (p *Profile) Learn(ts int64, s Slot, x, scale, floor float64, q *SeasonalParams, w *SeasonStep) {
	if !p.Init {
		p.reset()
		p.First, p.Prev = ts, ts
	}
	dt := ts - p.Prev
	p.Prev = ts
	if w == nil || w.Dt != dt {
		own := q.Step(dt)
		w = &own
	}
	p.cache(s)
	b, dayVisits := &p.CurDayBucket, &p.CurDayVisits
	wkOff, wkVisits := &p.CurWeekOff, &p.CurWkVisits
	newVisit := uint8(s.Day) != p.PrevDay || dt >= dayBucketNs
	if newVisit {
		p.VisitN = 0
		if *dayVisits < 255 {
			*dayVisits++
		}
		p.updateRef()
	}
	if uint8(s.Week) != p.PrevWeek || dt >= weekBucketNs {
		if *wkVisits < 255 {
			*wkVisits++
		}
	}
	p.PrevDay, p.PrevWeek = uint8(s.Day), uint8(s.Week)
	if p.VisitN < 0xffff {
		p.VisitN++
	}

	mean, hasMean := val(b.Off)
	wk, hasWk := val(*wkOff)
	sc, _ := val(b.Scale)
	sc = max(sc, floor)

	if hasMean && *dayVisits >= 2 {
		// Model errors, measured before this point is learned.
		rd := x - mean
		rw := rd
		if hasWk && *wkVisits >= 2 {
			rw = rd - wk
		}
		as, al := w.ErrS, w.ErrL
		rf := x - p.Ref
		learnErr(&p.ErrFlat, rf, as, floor)
		learnErr(&p.ErrDaily, rd, as, floor)
		learnErr(&p.ErrFlatL, rf, al, floor)
		learnErr(&p.ErrDailyL, rd, al, floor)
		learnErr(&p.ErrWeeklyL, rw, al, floor)
	}

	if !hasMean {
		b.Off = float32(x)
		b.Scale = float32(max(scale, floor))
		if *dayVisits <= 1 && p.VisitN == 1 && p.Ref == 0 {
			p.updateRef()
		}
		return
	}
	target := x
	if hasWk && *wkVisits >= 2 {
		target -= wk
	}
	e := target - mean
	c := q.Clip * sc
	// Early visits weigh as a running mean of the days seen so far.
	a := w.Day
	if v := *dayVisits; v >= 1 && v <= earlyVisits && w.Early[v-1] != 0 {
		a = w.Early[v-1]
	} else if ad, early := q.earlyAlpha(v); early {
		a = visitAlpha(ad, dt, dayBucketNs)
	}
	if *dayVisits <= 1 {
		// First visit: a running mean of the visit, clipped by the series'
		// scale so a spike does not become the bucket's normal.
		a = max(a, 1/float64(p.VisitN))
		c = q.Clip * max(scale, floor)
	}
	b.Off = float32(mean + a*Clip(e, c))
	b.Scale = float32(sc + a*(min(math.Abs(e), q.Clip*sc)-sc))
	if !q.AllowWeek || *dayVisits < 2 {
		return
	}
	r := x - mean
	if !hasWk {
		*wkOff = float32(r)
	} else {
		*wkOff = float32(wk + w.Week*Clip(r-wk, c))
	}
}

// learnErr moves the mean absolute error e towards |r| with weight a,
// clipped at 3·max(e, floor).
func learnErr(e *float32, r float64, a float32, floor float64) {
	if *e == 0 {
		*e = float32(math.Abs(r)) // first sample: nothing to clip against
		return
	}
	c := 3 * max(float64(*e), floor)
	*e += a * (float32(min(math.Abs(r), c)) - *e)
}

// weekLearned reports whether day-of-week bucket i was seen in two visits
// and learned.
func (p *Profile) weekLearned(i int) bool {
	off, visits := p.week(i)
	return *visits >= 2 && *off == *off
}

// Choose returns the model to use at ts. The weekly model is used when, over
// the long memory, it beats the daily one by WeeklyGain (and the daily one
// is no worse than flat); otherwise the daily model when, over the short
// memory, it beats flat by DailyGain. A model needs enough history: the
// slot's bucket seen on an earlier day (week) and the minimum age.
func (p *Profile) Choose(ts int64, s Slot, q *SeasonalParams) Model {
	if !p.Init {
		return ModelFlat
	}
	age := ts - p.First
	_, dayVisits := p.day(s.Day)
	visits := *dayVisits
	if uint8(s.Day) != p.PrevDay || ts-p.Prev >= dayBucketNs {
		visits++ // this point starts a new visit
	}
	if age < q.MinDaily || visits < minVisits {
		return ModelFlat
	}
	if q.AllowWeek && age >= q.MinWeekly && p.weekLearned(s.Week) &&
		p.ErrWeeklyL < float32(q.WeeklyGain)*p.ErrDailyL && p.ErrDailyL < p.ErrFlatL {
		return ModelWeekly
	}
	if p.ErrDaily < float32(q.DailyGain)*p.ErrFlat {
		return ModelDaily
	}
	return ModelFlat
}
