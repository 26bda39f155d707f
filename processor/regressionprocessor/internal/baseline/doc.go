// Package baseline holds the streaming estimators the regression detectors are
// built from: exponentially weighted mean and variance, a robust (clipped)
// location/scale pair, a learned seasonal profile, a decaying value envelope,
// a decayed log-scale tail histogram that turns a statistic into a rarity,
// and a Holt trend for drift forecasts.
//
// Every estimator is a small fixed-size value type with no pointers, so a
// per-series state that embeds them costs no allocation and is not scanned by
// the garbage collector. None of them reads the clock: time, where it matters,
// is passed in as data timestamps (Unix nanoseconds).
package baseline
