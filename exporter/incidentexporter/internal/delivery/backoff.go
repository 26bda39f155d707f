package delivery

import (
	"math"
	"time"
)

// backoff returns the wait before the attempt after attempt (1 for the
// first): InitialInterval × Multiplier^(attempt−1), capped at MaxInterval,
// then spread by RandomizationFactor using u, a uniform number in [0, 1).
func (r RetryConfig) backoff(attempt int, u float64) time.Duration {
	wait := float64(r.InitialInterval) * math.Pow(r.Multiplier, float64(max(attempt-1, 0)))
	wait = min(wait, float64(r.MaxInterval))
	wait *= 1 - r.RandomizationFactor + 2*r.RandomizationFactor*u
	return time.Duration(wait)
}
