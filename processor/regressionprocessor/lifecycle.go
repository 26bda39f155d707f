package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
)

// ticker is the wall-clock ticker of the flush loop (injectable in tests).
type ticker interface {
	C() <-chan time.Time
	Stop()
}

type realTicker struct{ *time.Ticker }

func (t realTicker) C() <-chan time.Time { return t.Ticker.C }

type option func(*regressionProcessor)

// withClock replaces the wall clock and the tickers (tests).
func withClock(now func() time.Time, newTicker func(time.Duration) ticker) option {
	return func(p *regressionProcessor) { p.now, p.newTicker = now, newTicker }
}

// Start restores the baselines from the storage extension (if configured)
// and starts the flush loop.
func (p *regressionProcessor) Start(ctx context.Context, host component.Host) error {
	if p.cfg.Storage != nil {
		ext, ok := host.GetExtensions()[*p.cfg.Storage]
		if !ok {
			return fmt.Errorf("regression: storage extension %q not found (add it to service::extensions)", p.cfg.Storage)
		}
		se, ok := ext.(storage.Extension)
		if !ok {
			return fmt.Errorf("regression: extension %q is not a storage extension (use file_storage or another storage extension)", p.cfg.Storage)
		}
		client, err := se.GetClient(ctx, component.KindProcessor, p.set.ID, "")
		if err != nil {
			return fmt.Errorf("regression: storage %q: %w", p.cfg.Storage, err)
		}
		p.client = client
		p.restore(ctx)
	}
	p.startOnce.Do(func() {
		p.stopCh, p.doneCh = make(chan struct{}), make(chan struct{})
		go p.loop()
		if p.queue != nil {
			p.workDone = make(chan struct{})
			go p.work()
		}
	})
	return nil
}

// Shutdown scores what is queued (and sends its derived series on) unless
// ctx ends first, stops the loop, saves the baselines and closes the
// storage client. It is idempotent and safe without Start.
func (p *regressionProcessor) Shutdown(ctx context.Context) error {
	var err error
	p.shutOnce.Do(func() {
		if p.queue != nil {
			p.queue.close()
		}
		if p.workDone != nil {
			select {
			case <-p.workDone:
			case <-ctx.Done():
				p.logger.Warn("regression: shutdown ended before the queued points were scored", zap.Int64("values", p.queue.held.Load()))
			}
		}
		if p.stopCh != nil {
			close(p.stopCh)
			<-p.doneCh
		}
		if p.client != nil {
			p.save(ctx)
			err = p.client.Close(ctx)
		}
		p.tel.Shutdown()
	})
	return err
}

func (p *regressionProcessor) loop() {
	defer close(p.doneCh)
	flush := p.newTicker(p.cfg.FlushInterval)
	defer flush.Stop()
	var snapC <-chan time.Time
	if p.client != nil {
		snap := p.newTicker(p.cfg.SnapshotInterval)
		defer snap.Stop()
		snapC = snap.C()
	}
	for {
		select {
		case <-p.stopCh:
			return
		case now := <-flush.C():
			p.flush(now)
		case <-snapC:
			p.save(context.Background())
		}
	}
}

// flush expires idle series. Idleness is measured in data time: the
// latest data time seen, advanced by the wall time elapsed since it was
// seen, so a replay of old data is not expired at once and a silent source
// still expires.
func (p *regressionProcessor) flush(wall time.Time) {
	p.mu.Lock()
	if p.markWall.IsZero() {
		p.mu.Unlock()
		return
	}
	now := time.Unix(0, p.watermark).Add(wall.Sub(p.markWall))
	n := p.eng.Expire(now)
	p.hists.Expire(now.UnixNano(), nil)
	if p.canary != nil {
		p.canary.Expire(now.UnixNano())
	}
	p.active.Store(int64(p.eng.Len()))
	p.mu.Unlock()
	if n > 0 {
		p.tel.ProcessorRegressionSeriesExpired.Add(context.Background(), int64(n))
	}
}
