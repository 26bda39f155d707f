package detector

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Seasonality selects which seasonal models a series may learn and use.
type Seasonality uint8

const (
	// SeasonalityAuto learns a time-of-day profile and a day-of-week
	// correction and uses the simplest model that explains the data clearly
	// better than a flat baseline.
	SeasonalityAuto Seasonality = iota
	// SeasonalityDaily learns only the time-of-day profile.
	SeasonalityDaily
	// SeasonalityOff never uses a seasonal model.
	SeasonalityOff
)

// Config holds the sensitivity knobs. DefaultConfig gives values that serve
// latency, utilization, request-count and queue-length series alike; the
// replay of the NAB development split is the evidence (see ../TUNING.md).
type Config struct {
	// Threshold is the Score at which an anomaly opens.
	Threshold float64
	// ExitThreshold is the Raw score under which an open anomaly closes
	// (hysteresis); it must not exceed Threshold.
	ExitThreshold float64
	// CoolDown is how long after an anomaly closed no new one opens.
	CoolDown time.Duration
	// Warmup is the number of points a series must have before its Score can
	// be non-zero and a decision can be taken.
	Warmup int
	// Memory is the effective number of recent points against which a
	// statistic's rarity is judged.
	Memory int
	// ScoreScale is the rarity, in -log10(probability), that maps to score 1.
	ScoreScale float64
	// OnsetHalfLife is the half-life of the onset weighting: after a score s,
	// later scores not above the decayed s plus OnsetMargin are halved, so an
	// anomaly is reported strongly once, when it starts or worsens.
	OnsetHalfLife time.Duration
	OnsetMargin   float64
	// BandWidth is the half-width of the normal band, in baseline scales.
	BandWidth float64
	// GapReset: a gap longer than this between two points of a series clears
	// its short-term statistics (not the learned baseline). 0 disables it.
	GapReset time.Duration

	Baseline   BaselineConfig
	Seasonal   SeasonalConfig
	Spike      SpikeConfig
	LevelShift LevelShiftConfig
	Drift      DriftConfig
	Deploy     DeployConfig
}

// BaselineConfig tunes the robust level and scale.
type BaselineConfig struct {
	LevelAlpha float64 // per-point weight of the clipped residual in the level
	ScaleAlpha float64 // per-point weight of the clipped |residual| in the scale
	Clip       float64 // clip, in scales
	// MinRelScale is the smallest scale relative to the series' typical
	// magnitude: changes smaller than this share of |value| never count.
	MinRelScale float64
}

// SeasonalConfig tunes the seasonal profile.
type SeasonalConfig struct {
	Mode       Seasonality
	DayAlpha   float64       // weight of one day in a 30-minute time-of-day bucket
	WeekAlpha  float64       // weight of one week in a 2-hour day-of-week bucket
	DailyGain  float64       // daily model used when its error < DailyGain × flat error
	WeeklyGain float64       // weekly model used when its error < WeeklyGain × daily error
	MinDaily   time.Duration // history needed before the daily model is used
	MinWeekly  time.Duration // history needed before the weekly model is used
}

// SpikeConfig tunes the spike/dip detector.
type SpikeConfig struct {
	Enabled bool
	// EnvelopeTolerance: a value more than this share of the recent range
	// above the recent high (or below the low) is a breakout.
	EnvelopeTolerance float64
	// EnvelopeHalfLife is how fast old highs and lows are forgotten.
	EnvelopeHalfLife time.Duration
	// MinZ is the smallest |z| (distance from the baseline in robust scales)
	// a point needs to score at all.
	MinZ float64
}

// LevelShiftConfig tunes the change-point detector.
type LevelShiftConfig struct {
	Enabled bool
	Alpha   float64 // weight of a point in the short-term mean of z-scores
	Clip    float64 // clip of a z-score before it enters that mean
	// ConfirmPoints consecutive points beyond ±ConfirmZ on one side confirm a
	// change point: the baseline level moves to the new level at once.
	ConfirmPoints int
	ConfirmZ      float64
	// MinShift is the smallest short-term mean (in robust scales) that may
	// score, however rare it is for the series.
	MinShift float64
}

// DriftConfig tunes the slow-drift / time-to-exhaustion detector. It scores
// only when a limit is set (utilization-like series).
type DriftConfig struct {
	Enabled       bool
	Limit         float64       // the exhaustion limit; NaN = none
	Horizon       time.Duration // alarm when the limit is forecast within this
	LevelHalfLife time.Duration // smoothing of the trend level
	SlopeHalfLife time.Duration // smoothing of the trend slope
	MinPoints     int           // trend history needed before it may score
}

// DeployConfig tunes the post-change detector.
type DeployConfig struct {
	Enabled bool
	// Window is the number of points compared before and after a version
	// change (at most MaxDeployWindow).
	Window int
	// MaxP is the largest two-sided Mann–Whitney p-value that counts.
	MaxP float64
	// MinEffect is the smallest |Cliff's delta| (0..1) that counts.
	MinEffect float64
	// MinRelChange is the smallest relative change of the median that counts.
	MinRelChange float64
}

// MaxDeployWindow bounds DeployConfig.Window (it sizes the state).
const MaxDeployWindow = 32

// DefaultConfig returns the default knobs.
func DefaultConfig() Config {
	return Config{
		Threshold:     0.4,
		ExitThreshold: 0.3,
		CoolDown:      30 * time.Minute,
		Warmup:        50,
		Memory:        2000,
		ScoreScale:    6,
		OnsetHalfLife: 12 * time.Hour,
		OnsetMargin:   0.1,
		BandWidth:     4,
		GapReset:      6 * time.Hour,
		Baseline: BaselineConfig{
			LevelAlpha:  0.05,
			ScaleAlpha:  0.02,
			Clip:        3,
			MinRelScale: 1e-3,
		},
		Seasonal: SeasonalConfig{
			Mode:       SeasonalityAuto,
			DayAlpha:   0.4,
			WeekAlpha:  0.4,
			DailyGain:  0.6,
			WeeklyGain: 0.8,
			MinDaily:   24 * time.Hour,
			MinWeekly:  14 * 24 * time.Hour,
		},
		Spike: SpikeConfig{
			Enabled:           true,
			EnvelopeTolerance: 0.1,
			EnvelopeHalfLife:  30 * 24 * time.Hour,
			MinZ:              4,
		},
		LevelShift: LevelShiftConfig{
			Enabled:       true,
			Alpha:         0.25,
			Clip:          10,
			ConfirmPoints: 6,
			ConfirmZ:      2.5,
			MinShift:      1.5,
		},
		Drift: DriftConfig{
			Enabled:       true,
			Limit:         math.NaN(),
			Horizon:       24 * time.Hour,
			LevelHalfLife: time.Hour,
			SlopeHalfLife: 6 * time.Hour,
			MinPoints:     30,
		},
		Deploy: DeployConfig{
			Enabled:      true,
			Window:       20,
			MaxP:         0.001,
			MinEffect:    0.5,
			MinRelChange: 0.1,
		},
	}
}

// Validate reports every invalid knob at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	in01 := func(name string, v float64, openLow bool) {
		if !(v <= 1) || v < 0 || (openLow && v == 0) {
			bad("%s = %v: must be in (0, 1]", name, v)
		}
	}
	if !(c.Threshold > 0 && c.Threshold <= 1) {
		bad("threshold = %v: must be in (0, 1]", c.Threshold)
	}
	if !(c.ExitThreshold >= 0 && c.ExitThreshold <= c.Threshold) {
		bad("exit_threshold = %v: must be in [0, threshold]", c.ExitThreshold)
	}
	if c.CoolDown < 0 {
		bad("cool_down = %v: must not be negative", c.CoolDown)
	}
	if c.Warmup < 0 {
		bad("warmup = %d: must not be negative", c.Warmup)
	}
	if c.Memory < 10 {
		bad("memory = %d: must be at least 10 points", c.Memory)
	}
	if !(c.ScoreScale > 0) {
		bad("score_scale = %v: must be positive", c.ScoreScale)
	}
	if c.OnsetHalfLife < 0 {
		bad("onset_half_life = %v: must not be negative", c.OnsetHalfLife)
	}
	if !(c.OnsetMargin >= 0 && c.OnsetMargin <= 1) {
		bad("onset_margin = %v: must be in [0, 1]", c.OnsetMargin)
	}
	if !(c.BandWidth > 0) {
		bad("band_width = %v: must be positive", c.BandWidth)
	}
	if c.GapReset < 0 {
		bad("gap_reset = %v: must not be negative", c.GapReset)
	}
	in01("baseline.level_alpha", c.Baseline.LevelAlpha, true)
	in01("baseline.scale_alpha", c.Baseline.ScaleAlpha, true)
	if !(c.Baseline.Clip > 0) {
		bad("baseline.clip = %v: must be positive", c.Baseline.Clip)
	}
	if !(c.Baseline.MinRelScale >= 0 && c.Baseline.MinRelScale < 1) {
		bad("baseline.min_rel_scale = %v: must be in [0, 1)", c.Baseline.MinRelScale)
	}
	if c.Seasonal.Mode > SeasonalityOff {
		bad("seasonal.mode = %d: unknown", c.Seasonal.Mode)
	}
	in01("seasonal.day_alpha", c.Seasonal.DayAlpha, true)
	in01("seasonal.week_alpha", c.Seasonal.WeekAlpha, true)
	in01("seasonal.daily_gain", c.Seasonal.DailyGain, true)
	in01("seasonal.weekly_gain", c.Seasonal.WeeklyGain, true)
	if c.Seasonal.MinDaily < 0 || c.Seasonal.MinWeekly < 0 {
		bad("seasonal.min_daily/min_weekly: must not be negative")
	}
	if !(c.Spike.EnvelopeTolerance > 0) {
		bad("spike.envelope_tolerance = %v: must be positive", c.Spike.EnvelopeTolerance)
	}
	if c.Spike.EnvelopeHalfLife < 0 {
		bad("spike.envelope_half_life = %v: must not be negative (0 = never forget)", c.Spike.EnvelopeHalfLife)
	}
	in01("level_shift.alpha", c.LevelShift.Alpha, true)
	if !(c.LevelShift.Clip > 0) {
		bad("level_shift.clip = %v: must be positive", c.LevelShift.Clip)
	}
	if c.LevelShift.ConfirmPoints < 1 || c.LevelShift.ConfirmPoints > 1000 {
		bad("level_shift.confirm_points = %d: must be in [1, 1000]", c.LevelShift.ConfirmPoints)
	}
	if c.LevelShift.MinShift < 0 {
		bad("level_shift.min_shift = %v: must not be negative", c.LevelShift.MinShift)
	}
	if c.Spike.MinZ < 0 {
		bad("spike.min_z = %v: must not be negative", c.Spike.MinZ)
	}
	if !(c.LevelShift.ConfirmZ > 0) {
		bad("level_shift.confirm_z = %v: must be positive", c.LevelShift.ConfirmZ)
	}
	if math.IsInf(c.Drift.Limit, 0) {
		bad("drift.limit = %v: must be finite (NaN = no limit)", c.Drift.Limit)
	}
	if c.Drift.Horizon <= 0 || c.Drift.LevelHalfLife <= 0 || c.Drift.SlopeHalfLife <= 0 {
		bad("drift.horizon/level_half_life/slope_half_life: must be positive")
	}
	if c.Deploy.Window < 4 || c.Deploy.Window > MaxDeployWindow {
		bad("deploy.window = %d: must be in [4, %d]", c.Deploy.Window, MaxDeployWindow)
	}
	in01("deploy.max_p", c.Deploy.MaxP, true)
	in01("deploy.min_effect", c.Deploy.MinEffect, false)
	if c.Deploy.MinRelChange < 0 {
		bad("deploy.min_rel_change = %v: must not be negative", c.Deploy.MinRelChange)
	}
	return errors.Join(errs...)
}
