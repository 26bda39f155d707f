package delivery

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// Deliverer sends one outbox message to its destination. It returns nil
// once the destination accepted the message, an error marked with Permanent
// when retrying cannot help, an error wrapping ErrUnknownDestination when it
// does not serve the message's destination, and any other error to retry
// (optionally marked with RetryAfter). It must honour ctx's deadline.
type Deliverer interface {
	Deliver(ctx context.Context, m store.OutboxMessage) error
}

// DelivererFunc adapts a function to Deliverer.
type DelivererFunc func(ctx context.Context, m store.OutboxMessage) error

// Deliver implements Deliverer.
func (f DelivererFunc) Deliver(ctx context.Context, m store.OutboxMessage) error { return f(ctx, m) }

// Worker delivers the outbox. Build it with New, then Start and Shutdown.
type Worker struct {
	st         store.Store
	deliverers map[string]Deliverer
	cfg        Config
	obs        Observer
	logger     *zap.Logger
	// Test seams.
	now  func() time.Time
	rand func() float64

	mu      sync.Mutex
	lanes   map[string]*lane
	warned  map[string]bool // destinations already logged as unknown
	started bool
	stopped bool
	// runCtx ends polling and lane loops; deliverCtx ends requests in flight
	// (at Shutdown's deadline).
	runCtx, deliverCtx       context.Context
	stopRun, cancelDelivered context.CancelFunc
	wg                       sync.WaitGroup
}

// lane is the delivery queue of one destination.
type lane struct {
	destination string
	deliverer   Deliverer
	queue       chan claimed
	// attempt is a moving average of the destination's attempt durations
	// (ns), 0 until an attempt has ended; it paces deferrals.
	attempt atomic.Int64
}

// observe folds one attempt's duration into the moving average.
func (l *lane) observe(d time.Duration) {
	for {
		old := l.attempt.Load()
		next := int64(d)
		if old != 0 {
			next = old + (int64(d)-old)/4
		}
		if l.attempt.CompareAndSwap(old, next) {
			return
		}
	}
}

// claimed is a message with the time its lease began.
type claimed struct {
	msg store.OutboxMessage
	at  time.Time
}

// New returns a worker that delivers st's outbox through deliverers, keyed
// by exact destination ("notify/pager", "forward/otlp_http", "narrator").
// cfg must be valid (Config.Validate); obs may be nil.
func New(st store.Store, deliverers map[string]Deliverer, cfg Config, obs Observer, logger *zap.Logger) *Worker {
	if obs == nil {
		obs = NopObserver{}
	}
	ds := make(map[string]Deliverer, len(deliverers))
	for dest, d := range deliverers {
		ds[dest] = d
	}
	return &Worker{
		st: st, deliverers: ds, cfg: cfg, obs: obs, logger: logger,
		now: time.Now, rand: rand.Float64,
		lanes: map[string]*lane{}, warned: map[string]bool{},
	}
}

// Start begins polling in the background and returns at once. Calling it
// again, or after Shutdown, does nothing.
func (w *Worker) Start(context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started || w.stopped {
		return
	}
	w.started = true
	// The collector's Start context ends with Start; the worker lives until
	// Shutdown.
	w.runCtx, w.stopRun = context.WithCancel(context.Background())
	w.deliverCtx, w.cancelDelivered = context.WithCancel(context.Background())
	w.wg.Add(1)
	go w.poll()
}

// Shutdown stops claiming, waits for the deliveries in flight until ctx
// ends (then cancels them, and they are retried later), and hands messages
// still waiting in lanes back to the store. It is idempotent and safe
// without Start.
func (w *Worker) Shutdown(ctx context.Context) error {
	w.mu.Lock()
	if !w.started || w.stopped {
		w.stopped = true
		w.mu.Unlock()
		return nil
	}
	w.stopped = true
	w.mu.Unlock()

	w.stopRun()
	done := make(chan struct{})
	go func() {
		w.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("delivery: shutdown: deliveries still in flight were cancelled: %w", ctx.Err())
		w.cancelDelivered()
		<-done
	}
	w.cancelDelivered()
	w.releaseWaiting()
	return err
}

// poll claims due messages and dispatches them to their lanes until
// Shutdown; a full batch is followed by another claim at once.
func (w *Worker) poll() {
	defer w.wg.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-w.runCtx.Done():
			return
		case <-timer.C:
		}
		wait := w.cfg.PollInterval
		if w.claimOnce() == w.cfg.BatchSize {
			wait = 0
		}
		timer.Reset(wait)
	}
}

// claimOnce claims one batch and dispatches it; it returns the batch size.
func (w *Worker) claimOnce() int {
	msgs, err := w.st.Claim(w.runCtx, w.cfg.BatchSize, w.cfg.Lease)
	if err != nil {
		if w.runCtx.Err() == nil {
			w.logger.Warn("Claiming outbox messages failed; retrying at the next poll", zap.Error(err))
		}
		return 0
	}
	at := w.now()
	busy := map[string]int{} // messages deferred per destination in this batch
	for _, m := range msgs {
		l := w.lane(m.Destination)
		if l == nil {
			w.settle(m, fmt.Errorf("no deliverer for destination %q (removed from the configuration?): %w", m.Destination, ErrUnknownDestination))
			continue
		}
		select {
		case l.queue <- claimed{msg: m, at: at}:
		default:
			busy[m.Destination]++
			w.deferBusy(l, m, busy[m.Destination])
		}
	}
	return len(msgs)
}

// lane returns the destination's lane, starting it on first use, or nil
// when no deliverer serves the destination.
func (w *Worker) lane(dest string) *lane {
	w.mu.Lock()
	defer w.mu.Unlock()
	if l, ok := w.lanes[dest]; ok {
		return l
	}
	d, ok := w.deliverers[dest]
	if !ok {
		return nil
	}
	// The queue holds a whole batch, so a healthy destination takes every
	// message of a claim; a hung one fills it, and deliver hands back what
	// waited too long for a slot.
	l := &lane{destination: dest, deliverer: d, queue: make(chan claimed, max(w.cfg.Concurrency, w.cfg.BatchSize))}
	w.lanes[dest] = l
	w.wg.Add(w.cfg.Concurrency)
	for range w.cfg.Concurrency {
		go w.drain(l)
	}
	return l
}

// drain delivers a lane's messages one at a time until Shutdown.
func (w *Worker) drain(l *lane) {
	defer w.wg.Done()
	for {
		select {
		case <-w.runCtx.Done():
			return
		case c := <-l.queue:
			w.deliver(l, c)
		}
	}
}

// deliver makes one attempt, unless the message waited so long in its lane
// that its lease could run out during the request: then it goes back to the
// store untried, so that no other claim delivers it concurrently.
func (w *Worker) deliver(l *lane, c claimed) {
	if w.now().After(c.at.Add(w.cfg.Lease - w.cfg.Timeout)) {
		w.obs.Deferred(l.destination)
		w.nack(c.msg, w.now(), "deferred: waited too long for a free slot", false)
		return
	}
	ctx, cancel := context.WithTimeout(w.deliverCtx, w.cfg.Timeout)
	start := time.Now()
	err := l.deliverer.Deliver(ctx, c.msg)
	l.observe(time.Since(start))
	cancel()
	w.settle(c.msg, err)
}

// settle records the outcome of an attempt in the store and the observer.
func (w *Worker) settle(m store.OutboxMessage, err error) {
	dest := m.Destination
	switch {
	case err == nil:
		w.obs.Delivered(dest)
		if aerr := w.record(func(ctx context.Context) error { return w.st.Ack(ctx, m.ID, m.Attempt) }); aerr != nil {
			w.logger.Warn("Delivered, but recording it failed; the message will be delivered again",
				zap.String("destination", dest), zap.String("key", m.Key), zap.Error(aerr))
		}
	case errors.Is(err, ErrUnknownDestination):
		w.obs.Failed(dest, true)
		w.warnUnknown(dest, err)
		w.nack(m, time.Time{}, err.Error(), true)
	case IsPermanent(err):
		w.obs.Failed(dest, true)
		w.logger.Warn("Delivery failed permanently; message dropped",
			zap.String("destination", dest), zap.String("key", m.Key), zap.Int("attempt", m.Attempt), zap.Error(err))
		w.nack(m, time.Time{}, err.Error(), true)
	case w.deliverCtx.Err() != nil:
		// Cancelled by Shutdown: not the destination's fault, retry soon.
		w.nack(m, w.now(), "interrupted by shutdown", false)
	default:
		w.retry(m, err)
	}
}

// retry schedules the next attempt with backoff, or marks the message dead
// when the retry budget is spent.
func (w *Worker) retry(m store.OutboxMessage, err error) {
	next, giveUp := w.nextAttempt(m, err)
	if giveUp != "" {
		w.obs.Failed(m.Destination, false)
		w.logger.Warn("Delivery failed, retries exhausted; message dropped",
			zap.String("destination", m.Destination), zap.String("key", m.Key), zap.String("reason", giveUp), zap.Error(err))
		w.nack(m, time.Time{}, giveUp+": "+err.Error(), true)
		return
	}
	w.obs.Retried(m.Destination)
	w.logger.Debug("Delivery failed, will retry",
		zap.String("destination", m.Destination), zap.String("key", m.Key), zap.Time("next_attempt", next), zap.Error(err))
	w.nack(m, next, err.Error(), false)
}

// nextAttempt returns when to try m again, or why to give up.
func (w *Worker) nextAttempt(m store.OutboxMessage, err error) (time.Time, string) {
	r := w.cfg.Retry
	if r.MaxAttempts > 0 && m.Attempt >= r.MaxAttempts {
		return time.Time{}, fmt.Sprintf("gave up after %d attempts (retry::max_attempts)", m.Attempt)
	}
	wait := r.backoff(m.Attempt, w.rand())
	if asked, ok := RetryDelay(err); ok && asked > wait {
		wait = asked
	}
	next := w.now().Add(wait)
	if r.MaxAge > 0 && next.Sub(m.CreatedAt) > r.MaxAge {
		return time.Time{}, fmt.Sprintf("gave up: the next attempt would come %v after enqueueing (retry::max_age %v)",
			next.Sub(m.CreatedAt).Round(time.Second), r.MaxAge)
	}
	return next, ""
}

// deferBusy hands a message back to the store because its lane is full. It
// is due again about when the lane will have worked through its queue and
// the n messages deferred before it, at the destination's observed attempt
// duration: a healthy destination's burst goes out within seconds, while a
// hung one (whose attempts last the timeout, assumed until one has ended)
// does not have its backlog reclaimed on every poll.
func (w *Worker) deferBusy(l *lane, m store.OutboxMessage, n int) {
	w.obs.Deferred(m.Destination)
	per := time.Duration(l.attempt.Load())
	if per == 0 {
		per = w.cfg.Timeout
	}
	ahead := time.Duration(1 + (cap(l.queue)+n)/w.cfg.Concurrency)
	wait := min(max(per*ahead, w.cfg.PollInterval), w.cfg.Retry.MaxInterval)
	w.nack(m, w.now().Add(wait), "deferred: destination busy", false)
}

// releaseWaiting hands the messages still queued in lanes back to the store
// for the next worker, instead of letting their leases run out.
func (w *Worker) releaseWaiting() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range w.lanes {
		for len(l.queue) > 0 {
			c := <-l.queue
			w.nack(c.msg, w.now(), "released at shutdown", false)
		}
	}
}

func (w *Worker) nack(m store.OutboxMessage, at time.Time, reason string, dead bool) {
	err := w.record(func(ctx context.Context) error { return w.st.Nack(ctx, m.ID, m.Attempt, at, reason, dead) })
	if err != nil && !errors.Is(err, store.ErrConflict) {
		w.logger.Warn("Recording a failed delivery failed; the message is retried when its lease ends",
			zap.String("destination", m.Destination), zap.String("key", m.Key), zap.Error(err))
	}
}

// warnUnknown logs an unknown destination once, not once per message.
func (w *Worker) warnUnknown(dest string, err error) {
	w.mu.Lock()
	seen := w.warned[dest]
	w.warned[dest] = true
	w.mu.Unlock()
	if !seen {
		w.logger.Warn("Outbox messages for an unknown destination are marked dead",
			zap.String("destination", dest), zap.Error(err))
	}
}

// record runs a store write that records an outcome. It does not end with
// Shutdown: an outcome reached must be recorded.
func (w *Worker) record(write func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.Timeout)
	defer cancel()
	return write(ctx)
}
