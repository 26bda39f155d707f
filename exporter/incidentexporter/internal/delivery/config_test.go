package delivery

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

func TestConfigValidate(t *testing.T) {
	require.NoError(t, NewDefaultConfig().Validate())
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"poll", func(c *Config) { c.PollInterval = 0 }, "poll_interval: must be positive"},
		{"batch", func(c *Config) { c.BatchSize = 0 }, "batch_size: must be positive"},
		{"concurrency", func(c *Config) { c.Concurrency = -1 }, "concurrency: must be positive"},
		{"lease", func(c *Config) { c.Lease = c.Timeout }, "lease: 10s is shorter than twice timeout"},
		{"max below initial", func(c *Config) { c.Retry.MaxInterval = time.Millisecond }, "retry::max_interval: 1ms is below retry::initial_interval"},
		{"multiplier", func(c *Config) { c.Retry.Multiplier = 0.5 }, "retry::multiplier: must be at least 1"},
		{"jitter", func(c *Config) { c.Retry.RandomizationFactor = 1 }, "retry::randomization_factor: must be in [0, 1)"},
		{"attempts", func(c *Config) { c.Retry.MaxAttempts = -1 }, "retry::max_attempts: must not be negative"},
		{"age", func(c *Config) { c.Retry.MaxAge = -time.Second }, "retry::max_age: must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := NewDefaultConfig()
			tc.mutate(&cfg)
			assert.ErrorContains(t, cfg.Validate(), tc.wantErr)
		})
	}
}

func TestBackoff(t *testing.T) {
	r := NewDefaultConfig().Retry // 1s ×2 up to 5m, ±20 %
	for _, tc := range []struct {
		attempt int
		u       float64
		want    time.Duration
	}{
		{1, 0.5, time.Second},
		{2, 0.5, 2 * time.Second},
		{4, 0.5, 8 * time.Second},
		{4, 0, 6400 * time.Millisecond},
		{4, 1, 9600 * time.Millisecond},
		{30, 0.5, 5 * time.Minute},
		{0, 0.5, time.Second},
	} {
		assert.Equal(t, tc.want, r.backoff(tc.attempt, tc.u), "attempt %d u %v", tc.attempt, tc.u)
	}
}

func TestNextAttempt(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	w := New(nil, nil, NewDefaultConfig(), nil, nil)
	w.now = func() time.Time { return now }
	w.rand = func() float64 { return 0.5 }
	fresh := store.OutboxMessage{Attempt: 3, CreatedAt: now.Add(-time.Minute)}
	boom := errors.New("boom")

	next, giveUp := w.nextAttempt(fresh, boom)
	assert.Empty(t, giveUp)
	assert.Equal(t, now.Add(4*time.Second), next)

	next, giveUp = w.nextAttempt(fresh, RetryAfter(boom, time.Hour))
	assert.Empty(t, giveUp)
	assert.Equal(t, now.Add(time.Hour), next, "Retry-After longer than the backoff wins")

	next, _ = w.nextAttempt(fresh, RetryAfter(boom, time.Millisecond))
	assert.Equal(t, now.Add(4*time.Second), next, "a shorter Retry-After does not shorten the backoff")

	old := store.OutboxMessage{Attempt: 3, CreatedAt: now.Add(-24 * time.Hour)}
	_, giveUp = w.nextAttempt(old, boom)
	assert.Contains(t, giveUp, "retry::max_age 24h0m0s")

	w.cfg.Retry.MaxAttempts = 3
	_, giveUp = w.nextAttempt(fresh, boom)
	assert.Equal(t, "gave up after 3 attempts (retry::max_attempts)", giveUp)
}

func TestErrorMarks(t *testing.T) {
	base := errors.New("base")
	assert.NoError(t, Permanent(nil))
	assert.NoError(t, RetryAfter(nil, time.Second))
	assert.False(t, IsPermanent(base))
	p := Permanent(base)
	assert.True(t, IsPermanent(p))
	assert.ErrorIs(t, p, base)
	assert.Equal(t, "base", p.Error())
	assert.True(t, IsPermanent(errors.Join(errors.New("ctx"), p)), "wrapped marks are found")

	r := RetryAfter(base, time.Minute)
	assert.False(t, IsPermanent(r))
	d, ok := RetryDelay(r)
	assert.True(t, ok)
	assert.Equal(t, time.Minute, d)
	_, ok = RetryDelay(base)
	assert.False(t, ok)
}
