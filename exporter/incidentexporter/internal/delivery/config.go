package delivery

import (
	"errors"
	"fmt"
	"time"
)

// Config tunes the Worker. NewDefaultConfig returns working defaults.
type Config struct {
	// PollInterval is how often the worker claims due messages when the
	// previous claim did not fill a batch.
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// BatchSize is the most messages claimed at once.
	BatchSize int `mapstructure:"batch_size"`
	// Lease hides a claimed message from other claims (this worker's next
	// polls, other collectors sharing a PostgreSQL store). It must cover a
	// wait in a lane plus a request: at least twice Timeout.
	Lease time.Duration `mapstructure:"lease"`
	// Concurrency is the number of requests in flight per destination.
	Concurrency int `mapstructure:"concurrency"`
	// Timeout bounds one delivery attempt.
	Timeout time.Duration `mapstructure:"timeout"`
	// Retry shapes the backoff between attempts and the retry budget.
	Retry RetryConfig `mapstructure:"retry"`
}

// RetryConfig is the backoff between attempts of one message and when to
// give up on it.
type RetryConfig struct {
	// InitialInterval is the wait after the first failed attempt.
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	// MaxInterval caps the wait between attempts (a receiver's Retry-After
	// may ask for longer).
	MaxInterval time.Duration `mapstructure:"max_interval"`
	// Multiplier grows the wait after each failed attempt.
	Multiplier float64 `mapstructure:"multiplier"`
	// RandomizationFactor spreads each wait uniformly over
	// [wait × (1 − f), wait × (1 + f)] so that messages failing together do
	// not retry together.
	RandomizationFactor float64 `mapstructure:"randomization_factor"`
	// MaxAttempts marks a message dead after this many claims; 0 means no
	// limit. Claims that found the destination busy count too.
	MaxAttempts int `mapstructure:"max_attempts"`
	// MaxAge marks a message dead when its next attempt would come later than
	// this after it was enqueued; 0 means no limit.
	MaxAge time.Duration `mapstructure:"max_age"`
}

// NewDefaultConfig returns the defaults: poll every second, claim 100 at a
// time with a one-minute lease, 4 requests in flight per destination, 10 s
// per request, retry from 1 s growing 2× up to 5 min with ±20 % jitter, for
// up to 24 h.
func NewDefaultConfig() Config {
	return Config{
		PollInterval: time.Second,
		BatchSize:    100,
		Lease:        time.Minute,
		Concurrency:  4,
		Timeout:      10 * time.Second,
		Retry: RetryConfig{
			InitialInterval:     time.Second,
			MaxInterval:         5 * time.Minute,
			Multiplier:          2,
			RandomizationFactor: 0.2,
			MaxAge:              24 * time.Hour,
		},
	}
}

// Validate reports every problem at once, each naming its field and the fix.
func (c Config) Validate() error {
	var errs []error
	positive := func(name string, d time.Duration) {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be positive, got %v", name, d))
		}
	}
	positive("poll_interval", c.PollInterval)
	positive("lease", c.Lease)
	positive("timeout", c.Timeout)
	positive("retry::initial_interval", c.Retry.InitialInterval)
	positive("retry::max_interval", c.Retry.MaxInterval)
	if c.BatchSize <= 0 {
		errs = append(errs, fmt.Errorf("batch_size: must be positive, got %d", c.BatchSize))
	}
	if c.Concurrency <= 0 {
		errs = append(errs, fmt.Errorf("concurrency: must be positive, got %d", c.Concurrency))
	}
	if c.Timeout > 0 && c.Lease < 2*c.Timeout {
		errs = append(errs, fmt.Errorf("lease: %v is shorter than twice timeout (%v); raise lease or lower timeout so a message waiting for its lane is not claimed twice", c.Lease, c.Timeout))
	}
	if c.Retry.MaxInterval < c.Retry.InitialInterval {
		errs = append(errs, fmt.Errorf("retry::max_interval: %v is below retry::initial_interval (%v)", c.Retry.MaxInterval, c.Retry.InitialInterval))
	}
	if c.Retry.Multiplier < 1 {
		errs = append(errs, fmt.Errorf("retry::multiplier: must be at least 1, got %v", c.Retry.Multiplier))
	}
	if c.Retry.RandomizationFactor < 0 || c.Retry.RandomizationFactor >= 1 {
		errs = append(errs, fmt.Errorf("retry::randomization_factor: must be in [0, 1), got %v", c.Retry.RandomizationFactor))
	}
	if c.Retry.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("retry::max_attempts: must not be negative (0 means no limit), got %d", c.Retry.MaxAttempts))
	}
	if c.Retry.MaxAge < 0 {
		errs = append(errs, fmt.Errorf("retry::max_age: must not be negative (0 means no limit), got %v", c.Retry.MaxAge))
	}
	return errors.Join(errs...)
}
