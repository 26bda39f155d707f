package delivery

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// eventually is generous: the machine is shared and slow.
const eventually = 30 * time.Second

// fastConfig polls and retries within milliseconds.
func fastConfig() Config {
	cfg := NewDefaultConfig()
	cfg.PollInterval = 5 * time.Millisecond
	cfg.Lease = 10 * time.Second
	cfg.Timeout = 2 * time.Second
	cfg.Concurrency = 2
	cfg.Retry.InitialInterval = 5 * time.Millisecond
	cfg.Retry.MaxInterval = 20 * time.Millisecond
	return cfg
}

func openStore(t *testing.T, path string) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), path, store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func enqueue(t *testing.T, st store.Store, dest string, n int) []string {
	t.Helper()
	keys := make([]string, n)
	msgs := make([]store.OutboxMessage, n)
	for i := range n {
		keys[i] = fmt.Sprintf("inc-%d/1/%s", i, dest)
		msgs[i] = store.OutboxMessage{Destination: dest, Key: keys[i], IncidentID: fmt.Sprintf("inc-%d", i), Payload: []byte("{}")}
	}
	added, err := st.Enqueue(context.Background(), msgs...)
	require.NoError(t, err)
	require.Equal(t, n, added)
	return keys
}

func startWorker(t *testing.T, st store.Store, ds map[string]Deliverer, cfg Config, obs Observer, logger *zap.Logger) *Worker {
	t.Helper()
	require.NoError(t, cfg.Validate())
	w := New(st, ds, cfg, obs, logger)
	w.Start(context.Background())
	t.Cleanup(func() { assert.NoError(t, w.Shutdown(context.Background())) })
	return w
}

func waitStats(t *testing.T, st store.Store, cond func(store.OutboxStats) bool) store.OutboxStats {
	t.Helper()
	var last store.OutboxStats
	require.Eventually(t, func() bool {
		s, err := st.OutboxStats(context.Background())
		require.NoError(t, err)
		last = s
		return cond(s)
	}, eventually, 5*time.Millisecond, "outbox never reached the expected state")
	return last
}

// receiver is a fake destination that fails each key failures times with
// err, then accepts it, recording every call.
type receiver struct {
	failures int
	err      error

	mu       sync.Mutex
	calls    map[string]int
	accepted map[string]int
}

func newReceiver(failures int, err error) *receiver {
	return &receiver{failures: failures, err: err, calls: map[string]int{}, accepted: map[string]int{}}
}

func (r *receiver) Deliver(_ context.Context, m store.OutboxMessage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[m.Key]++
	if r.calls[m.Key] <= r.failures {
		return r.err
	}
	r.accepted[m.Key]++
	return nil
}

func (r *receiver) snapshot() (calls, accepted map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls, accepted = map[string]int{}, map[string]int{}
	for k, v := range r.calls {
		calls[k] = v
	}
	for k, v := range r.accepted {
		accepted[k] = v
	}
	return calls, accepted
}

// countingObserver counts outcomes by destination.
type countingObserver struct {
	mu                                   sync.Mutex
	delivered, retried, deferred, failed map[string]int
	permanent                            map[string]int
}

func newCountingObserver() *countingObserver {
	return &countingObserver{
		delivered: map[string]int{}, retried: map[string]int{}, deferred: map[string]int{},
		failed: map[string]int{}, permanent: map[string]int{},
	}
}

func (o *countingObserver) Delivered(d string) { o.add(o.delivered, d) }
func (o *countingObserver) Retried(d string)   { o.add(o.retried, d) }
func (o *countingObserver) Deferred(d string)  { o.add(o.deferred, d) }
func (o *countingObserver) Failed(d string, permanent bool) {
	o.add(o.failed, d)
	if permanent {
		o.add(o.permanent, d)
	}
}

func (o *countingObserver) add(m map[string]int, d string) {
	o.mu.Lock()
	m[d]++
	o.mu.Unlock()
}

func (o *countingObserver) get(m map[string]int, d string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return m[d]
}

func TestWorkerRetriesUntilDeliveredOncePerKey(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	keys := enqueue(t, st, "notify/flaky", 20)
	flaky := newReceiver(3, errors.New("503 Service Unavailable"))
	obs := newCountingObserver()
	startWorker(t, st, map[string]Deliverer{"notify/flaky": flaky}, fastConfig(), obs, zaptest.NewLogger(t))

	got := waitStats(t, st, func(s store.OutboxStats) bool { return s.Delivered == 20 })
	assert.Equal(t, store.OutboxStats{Delivered: 20}, got)
	calls, accepted := flaky.snapshot()
	for _, k := range keys {
		assert.Equal(t, 1, accepted[k], "key %s accepted", k)
		assert.Equal(t, 4, calls[k], "key %s attempts", k)
	}
	assert.Equal(t, 20, obs.get(obs.delivered, "notify/flaky"))
	assert.Equal(t, 60, obs.get(obs.retried, "notify/flaky"))
	assert.Zero(t, obs.get(obs.failed, "notify/flaky"))
}

// hung blocks every delivery until its context ends.
type hung struct {
	mu    sync.Mutex
	calls int
}

func (h *hung) Deliver(ctx context.Context, _ store.OutboxMessage) error {
	h.mu.Lock()
	h.calls++
	h.mu.Unlock()
	<-ctx.Done()
	return ctx.Err()
}

func TestWorkerHungDestinationDoesNotBlockOthers(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	// The hung destination's messages are older, so they are claimed first.
	enqueue(t, st, "forward/hung", 50)
	keys := enqueue(t, st, "notify/ok", 10)
	ok := newReceiver(0, nil)
	obs := newCountingObserver()
	cfg := fastConfig()
	cfg.Timeout = time.Hour // the hung requests outlive the test
	cfg.Lease = 2 * time.Hour
	cfg.BatchSize = 20
	w := New(st, map[string]Deliverer{"forward/hung": &hung{}, "notify/ok": ok}, cfg, obs, zaptest.NewLogger(t))
	w.Start(context.Background())

	require.Eventually(t, func() bool {
		_, accepted := ok.snapshot()
		return len(accepted) == len(keys)
	}, eventually, 5*time.Millisecond)
	assert.Positive(t, obs.get(obs.deferred, "forward/hung"), "the hung destination's overflow goes back to the store")
	assert.Zero(t, obs.get(obs.delivered, "forward/hung"))

	// Shutdown waits for the hung requests only until its deadline, then
	// cancels them; they stay pending for the next worker.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, w.Shutdown(ctx), context.DeadlineExceeded)
	// Nothing stays hidden behind the two-hour lease: cancelled requests and
	// messages waiting in the lane were handed back, due again at once (or
	// after a deferral of at most retry::max_interval).
	got := waitStats(t, st, func(s store.OutboxStats) bool { return s.Due == 50 })
	assert.Equal(t, store.OutboxStats{Pending: 50, Due: 50, Delivered: 10}, got)
}

// A burst larger than a claim to a healthy destination goes out at the
// destination's pace: what is deferred because its lane is full comes back
// after about the lane's drain time, not after the (here one-hour) timeout.
func TestWorkerHealthyDestinationBurst(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	keys := enqueue(t, st, "notify/ok", 250)
	ok := newReceiver(0, nil)
	obs := newCountingObserver()
	cfg := fastConfig()
	cfg.Timeout, cfg.Lease = time.Hour, 3*time.Hour
	cfg.Retry.MaxInterval = time.Hour
	w := New(st, map[string]Deliverer{"notify/ok": ok}, cfg, obs, zaptest.NewLogger(t))
	w.Start(context.Background())
	t.Cleanup(func() { require.NoError(t, w.Shutdown(context.Background())) })

	require.Eventually(t, func() bool {
		_, accepted := ok.snapshot()
		return len(accepted) == len(keys)
	}, eventually, 5*time.Millisecond)
}

func TestWorkerReleasesMessagesThatWaitedTooLong(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	enqueue(t, st, "notify/a", 1)
	cfg := fastConfig()
	msgs, err := st.Claim(ctx, 1, cfg.Lease)
	require.NoError(t, err)
	require.Len(t, msgs, 1)

	r := newReceiver(0, nil)
	obs := newCountingObserver()
	w := New(st, map[string]Deliverer{"notify/a": r}, cfg, obs, zaptest.NewLogger(t))
	// Claimed a lease ago minus less than one timeout: the request could
	// outlive the lease, so it is not sent.
	w.deliver(&lane{destination: "notify/a", deliverer: r}, claimed{msg: msgs[0], at: time.Now().Add(-cfg.Lease + cfg.Timeout/2)})
	calls, _ := r.snapshot()
	assert.Empty(t, calls)
	assert.Equal(t, 1, obs.get(obs.deferred, "notify/a"))
	s, err := st.OutboxStats(ctx)
	require.NoError(t, err)
	assert.Equal(t, store.OutboxStats{Pending: 1, Due: 1}, s, "handed back, due at once")
}

func TestWorkerPermanentFailureEndsDead(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	enqueue(t, st, "notify/bad", 3)
	bad := newReceiver(1000, Permanent(errors.New("400 Bad Request")))
	obs := newCountingObserver()
	startWorker(t, st, map[string]Deliverer{"notify/bad": bad}, fastConfig(), obs, zaptest.NewLogger(t))

	waitStats(t, st, func(s store.OutboxStats) bool { return s.Dead == 3 })
	calls, _ := bad.snapshot()
	for k, n := range calls {
		assert.Equal(t, 1, n, "a permanent error is not retried (%s)", k)
	}
	assert.Equal(t, 3, obs.get(obs.permanent, "notify/bad"))
}

func TestWorkerMaxAttemptsEndsDead(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	enqueue(t, st, "notify/down", 2)
	down := newReceiver(1000, errors.New("connection refused"))
	obs := newCountingObserver()
	cfg := fastConfig()
	cfg.Retry.MaxAttempts = 3
	startWorker(t, st, map[string]Deliverer{"notify/down": down}, cfg, obs, zaptest.NewLogger(t))

	waitStats(t, st, func(s store.OutboxStats) bool { return s.Dead == 2 })
	calls, _ := down.snapshot()
	for k, n := range calls {
		assert.Equal(t, 3, n, "attempts of %s", k)
	}
	assert.Equal(t, 2, obs.get(obs.failed, "notify/down"))
	assert.Zero(t, obs.get(obs.permanent, "notify/down"))
	assert.Equal(t, 4, obs.get(obs.retried, "notify/down"))
}

func TestWorkerUnknownDestinationLoggedOnce(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	enqueue(t, st, "notify/removed", 5)
	enqueue(t, st, "notify/stale", 3)
	// A deliverer that no longer knows its destination counts as unknown too.
	stale := DelivererFunc(func(context.Context, store.OutboxMessage) error {
		return fmt.Errorf("receiver %q is not configured: %w", "stale", ErrUnknownDestination)
	})
	core, logs := observer.New(zap.WarnLevel)
	obs := newCountingObserver()
	startWorker(t, st, map[string]Deliverer{"notify/stale": stale}, fastConfig(), obs, zap.New(core))

	waitStats(t, st, func(s store.OutboxStats) bool { return s.Dead == 8 })
	assert.Equal(t, 5, obs.get(obs.permanent, "notify/removed"))
	assert.Equal(t, 3, obs.get(obs.permanent, "notify/stale"))
	for _, dest := range []string{"notify/removed", "notify/stale"} {
		n := logs.FilterField(zap.String("destination", dest)).Len()
		assert.Equal(t, 1, n, "warnings for %s", dest)
	}
}

func TestWorkerResumesAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	st := openStore(t, path)
	keys := enqueue(t, st, "notify/a", 10)
	down := newReceiver(1000, RetryAfter(errors.New("429 Too Many Requests"), 10*time.Millisecond))
	w := New(st, map[string]Deliverer{"notify/a": down}, fastConfig(), nil, zaptest.NewLogger(t))
	w.Start(context.Background())
	require.Eventually(t, func() bool {
		calls, _ := down.snapshot()
		return len(calls) == len(keys)
	}, eventually, 5*time.Millisecond)
	require.NoError(t, w.Shutdown(context.Background()))
	require.NoError(t, st.Close())

	st = openStore(t, path)
	up := newReceiver(0, nil)
	startWorker(t, st, map[string]Deliverer{"notify/a": up}, fastConfig(), nil, zaptest.NewLogger(t))
	waitStats(t, st, func(s store.OutboxStats) bool { return s.Delivered == 10 })
	_, accepted := up.snapshot()
	for _, k := range keys {
		assert.Equal(t, 1, accepted[k], "key %s", k)
	}
}

func TestWorkerShutdownWithoutStartAndTwice(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	w := New(st, nil, fastConfig(), nil, zap.NewNop())
	require.NoError(t, w.Shutdown(context.Background()))
	w.Start(context.Background()) // after Shutdown: does nothing
	require.NoError(t, w.Shutdown(context.Background()))

	w = New(st, nil, fastConfig(), nil, zap.NewNop())
	w.Start(context.Background())
	w.Start(context.Background())
	require.NoError(t, w.Shutdown(context.Background()))
	require.NoError(t, w.Shutdown(context.Background()))
}
