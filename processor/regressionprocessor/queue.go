package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"context"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"
	"golang.org/x/sync/semaphore"
)

// detectQueue hands captured batches from the requests to the one detection
// worker. It is bounded in values to score (queue_size): when it is full a
// request's batch is shed (counted, its data still passes on) or, with
// block_on_overflow, the request waits for room. One worker keeps the
// scoring order the arrival order, so a replay scores as it did before.
type detectQueue struct {
	ch    chan *batch
	room  *semaphore.Weighted
	size  int64
	block bool
	held  atomic.Int64 // values queued (the worker releases a batch as it takes it)

	mu     sync.RWMutex // guards closed against a send on the closed channel
	closed bool
}

func newDetectQueue(cfg QueueConfig) *detectQueue {
	size := int64(cfg.QueueSize)
	return &detectQueue{
		// Every batch holds at least one slot, so the channel never fills
		// before the semaphore does (barriers hold none: tests only).
		ch:    make(chan *batch, size),
		room:  semaphore.NewWeighted(size),
		size:  size,
		block: cfg.BlockOnOverflow,
	}
}

// put queues b and reports whether it was queued (false when the queue is
// full and does not block, or ctx ended while waiting for room) or closed.
func (q *detectQueue) put(ctx context.Context, b *batch) (queued, closed bool) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return false, true
	}
	b.weight = min(int64(b.values), q.size) // a batch larger than the queue takes it whole
	if q.block {
		if q.room.Acquire(ctx, b.weight) != nil {
			return false, false
		}
	} else if !q.room.TryAcquire(b.weight) {
		return false, false
	}
	q.held.Add(b.weight)
	q.ch <- b
	return true, false
}

// release gives back the slots of a scored batch.
func (q *detectQueue) release(b *batch) {
	q.held.Add(-b.weight)
	q.room.Release(b.weight)
}

// close stops put; the worker then drains what is queued and returns.
func (q *detectQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
}

// enqueue hands b to the worker, or sheds it (after Shutdown, silently: a
// collector no longer calls then).
func (p *regressionProcessor) enqueue(ctx context.Context, b *batch) {
	queued, closed := p.queue.put(ctx, b)
	if queued {
		return
	}
	if closed {
		p.recycle(b)
		return
	}
	p.tel.ProcessorRegressionPointsSkipped.Add(ctx, int64(b.values), attrSkip[skipQueueFull])
	if p.shedWarned.CompareAndSwap(false, true) {
		p.logger.Warn("regression: detection is behind, points are skipped (points_skipped{reason=\"queue_full\"}); "+
			"narrow metrics::include, raise queue::queue_size or set queue::block_on_overflow",
			zap.Int("queue_size", int(p.queue.size)))
	}
	p.recycle(b)
}

// work scores the queued batches in order and sends their derived series
// on, until the queue is closed and drained.
func (p *regressionProcessor) work() {
	defer close(p.workDone)
	ctx := context.Background()
	for b := range p.queue.ch {
		if b.done != nil { // a barrier
			close(b.done)
			continue
		}
		p.queue.release(b) // before detect, which returns b to the pool
		derived := p.detect(ctx, b)
		if n := derived.DataPointCount(); n > 0 {
			if err := p.next.ConsumeMetrics(ctx, derived); err != nil {
				p.tel.ProcessorRegressionDerivedRefused.Add(ctx, int64(n))
				p.logger.Debug("regression: the next consumer refused derived series", zap.Int("data_points", n), zap.Error(err))
			}
		}
	}
}

// sync waits until the worker has scored everything queued before it
// (tests); it returns at once without a queue.
func (p *regressionProcessor) sync() {
	if p.queue == nil {
		return
	}
	done := make(chan struct{})
	p.queue.mu.RLock()
	if p.queue.closed {
		p.queue.mu.RUnlock()
		return
	}
	p.queue.ch <- &batch{done: done}
	p.queue.mu.RUnlock()
	<-done
}
