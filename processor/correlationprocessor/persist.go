package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"context"

	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/engine"
)

// save writes the engine snapshot to the storage client: taken under mu,
// written outside it; saveMu orders the writes. force saves even when
// nothing changed (shutdown).
func (c *correlator) save(ctx context.Context, force bool) {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	c.mu.Lock()
	if !c.dirty && !force {
		c.mu.Unlock()
		return
	}
	data, err := c.eng.Snapshot()
	open := c.eng.Stats().OpenIncidents
	if err == nil {
		c.dirty = false
		c.lastSave = c.now()
	}
	c.mu.Unlock()
	if err == nil {
		err = c.client.Set(ctx, snapshotKey, data)
	}
	if err == nil {
		// Tells operators (and the kill -9 integration test) what a crash
		// from now on would keep.
		c.logger.Debug("correlation: engine state saved", zap.Int("open_incidents", open), zap.Int("bytes", len(data)))
		return
	}
	c.mu.Lock()
	c.dirty = true
	c.mu.Unlock()
	c.tel.ProcessorCorrelationSnapshotFailures.Add(ctx, 1, attrSnapshotSave)
	c.logger.Warn("correlation: cannot save the engine state; it is retried on the next tick", zap.Error(err))
}

// restore loads the snapshot, if any. A snapshot that cannot be read or
// decoded is logged and counted, and the processor starts empty.
func (c *correlator) restore(ctx context.Context) {
	data, err := c.client.Get(ctx, snapshotKey)
	if err != nil {
		c.tel.ProcessorCorrelationSnapshotFailures.Add(ctx, 1, attrSnapshotRestore)
		c.logger.Error("correlation: cannot read the engine state; starting empty", zap.Error(err))
		return
	}
	if data == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.eng.Restore(data); err != nil {
		c.tel.ProcessorCorrelationSnapshotFailures.Add(ctx, 1, attrSnapshotRestore)
		c.logger.Error("correlation: corrupt engine state in storage; starting empty (it is overwritten on the next save)", zap.Error(err))
		fresh, ferr := engine.New(c.cfg.engineConfig())
		if ferr == nil {
			c.eng = fresh
		}
		return
	}
	c.lastStats = c.eng.Stats()
	c.logger.Info("correlation: engine state restored", zap.Int("open_incidents", c.lastStats.OpenIncidents), zap.Int("pending_groups", c.lastStats.PendingGroups))
}
