package incidentexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/api"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/notify"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident/incidentlog"
)

// housekeepingInterval paces repeat notifications, retention and the outbox
// gauges. Repeat intervals are hours; a minute of lateness is invisible.
const housekeepingInterval = time.Minute

// attrExporterID names the exporter on the resource of forwarded records.
const attrExporterID = "aiops.incident_exporter.id"

type incidentExporter struct {
	cfg    *Config
	set    exporter.Settings
	logger *zap.Logger
	tel    *metadata.TelemetryBuilder
	res    pcommon.Resource // the collector's own resource, for forwarded records

	st         store.Store
	notifier   *notify.Notifier
	forwarders []*forwarder
	narrator   *narration
	worker     *delivery.Worker
	server     *api.Server

	outbox outboxGauge

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newIncidentExporter(set exporter.Settings, cfg *Config) (*incidentExporter, error) {
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("incident: telemetry: %w", err)
	}
	e := &incidentExporter{cfg: cfg, set: set, logger: set.Logger, tel: tel, res: pcommon.NewResource()}
	set.Resource.CopyTo(e.res)
	e.res.Attributes().PutStr(attrExporterID, set.ID.String())
	if err := tel.RegisterExporterIncidentOutboxMessagesCallback(e.outbox.observe); err != nil {
		return nil, fmt.Errorf("incident: telemetry: %w", err)
	}
	return e, nil
}

// start builds everything that talks to the outside world, in the order a
// failure is cheapest to undo: destinations, then the store (whose planner
// needs them), then the workers and the API that use the store.
func (e *incidentExporter) start(ctx context.Context, host component.Host) (err error) {
	defer func() {
		if err != nil {
			_ = e.shutdown(context.WithoutCancel(ctx))
		}
	}()
	if e.notifier, err = notify.New(e.cfg.Notifications, host, e.set.TelemetrySettings); err != nil {
		return fmt.Errorf("incident: notifications: %w", err)
	}
	if e.forwarders, err = newForwarders(ctx, e.set, e.cfg.Forward, host); err != nil {
		return err
	}
	if e.cfg.Narrator != nil {
		if e.narrator, err = findNarrator(host, *e.cfg.Narrator, e); err != nil {
			return err
		}
	}
	if e.st, err = e.openStore(ctx); err != nil {
		return err
	}
	e.worker = delivery.New(e.st, e.deliverers(), e.cfg.Delivery, deliveryObserver{e}, e.logger)
	runCtx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.worker.Start(runCtx)
	e.server = api.NewServer(e.cfg.API, e.st, api.Options{Logger: e.logger, OnResponse: e.countRequest}, host, e.set.TelemetrySettings)
	if err = e.server.Start(ctx); err != nil {
		return fmt.Errorf("incident: api: %w", err)
	}
	e.wg.Add(1)
	go e.housekeeping(runCtx)
	return nil
}

// openStore opens the configured database with the planner that turns every
// committed change into outbox messages.
func (e *incidentExporter) openStore(ctx context.Context) (store.Store, error) {
	opts := store.Options{TimelineCap: e.cfg.Store.TimelineCap, Planner: e.plan}
	switch e.cfg.Store.Driver {
	case driverPostgres:
		st, err := store.OpenPostgres(ctx, string(e.cfg.Store.DSN), store.PostgresOptions{MaxConns: e.cfg.Store.MaxConns, Schema: e.cfg.Store.Schema}, opts)
		if err != nil {
			// The DSN carries the password: the store's errors never quote it.
			return nil, fmt.Errorf("incident: store.dsn: cannot open PostgreSQL: %w", err)
		}
		return st, nil
	default:
		if err := os.MkdirAll(e.cfg.Store.Directory, 0o700); err != nil {
			return nil, fmt.Errorf("incident: store.directory: %w", err)
		}
		path := filepath.Join(e.cfg.Store.Directory, sqliteFileName(e.set.ID))
		st, err := store.OpenSQLite(ctx, path, opts)
		if err != nil {
			return nil, fmt.Errorf("incident: store: cannot open %s: %w", path, err)
		}
		return st, nil
	}
}

// sqliteFileName derives one file per exporter ID ("incident/team-a" →
// "incident_team-a.db"), keeping only characters safe in any file system.
func sqliteFileName(id component.ID) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		default:
			return '_'
		}
	}, id.String())
	return name + ".db"
}

// shutdown stops intake first (the API), then the workers, then closes the
// store. Safe after a partial start.
func (e *incidentExporter) shutdown(ctx context.Context) error {
	var errs []error
	if e.server != nil {
		errs = append(errs, e.server.Shutdown(ctx))
	}
	if e.cancel != nil {
		e.cancel()
	}
	if e.worker != nil {
		errs = append(errs, e.worker.Shutdown(ctx))
	}
	e.wg.Wait()
	if e.narrator != nil {
		e.narrator.close()
	}
	for _, f := range e.forwarders {
		errs = append(errs, f.shutdown(ctx))
	}
	if e.notifier != nil {
		e.notifier.Close()
	}
	if e.st != nil {
		errs = append(errs, e.st.Close())
	}
	return errors.Join(errs...)
}

// consumeLogs commits the incident records of ld in one transaction and
// returns only after the commit. Records that are not incident records are
// ignored (a logs pipeline may carry findings too); malformed incident
// records are counted, logged and skipped: retrying them cannot help.
func (e *incidentExporter) consumeLogs(ctx context.Context, ld plog.Logs) error {
	updates := e.decode(ctx, ld)
	if len(updates) == 0 {
		return nil
	}
	start := time.Now()
	results, err := e.st.Apply(ctx, updates...)
	e.tel.ExporterIncidentStoreCommitDuration.Record(ctx, time.Since(start).Seconds())
	if err != nil {
		if errors.Is(err, store.ErrInvalid) {
			e.tel.ExporterIncidentRecords.Add(ctx, int64(len(updates)), outcomeAttr("malformed"))
			return consumererror.NewPermanent(fmt.Errorf("incident: store refused the batch: %w", err))
		}
		return fmt.Errorf("incident: store: %w", err)
	}
	for _, r := range results {
		outcome := "applied"
		if !r.Applied {
			outcome = r.Reason
		}
		e.tel.ExporterIncidentRecords.Add(ctx, 1, outcomeAttr(outcome))
	}
	return nil
}

func (e *incidentExporter) decode(ctx context.Context, ld plog.Logs) []incident.Update {
	var updates []incident.Update
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if !incidentlog.IsIncident(lr) {
					continue
				}
				u, err := incidentlog.UnmarshalIncident(lr)
				if err != nil {
					e.tel.ExporterIncidentRecords.Add(ctx, 1, outcomeAttr("malformed"))
					e.logger.Warn("incident: skipping a malformed incident record", zap.Error(err))
					continue
				}
				updates = append(updates, u)
			}
		}
	}
	return updates
}

// housekeeping enqueues repeat notifications, applies retention and
// refreshes the outbox gauges, once at start and then every minute.
func (e *incidentExporter) housekeeping(ctx context.Context) {
	defer e.wg.Done()
	t := time.NewTicker(housekeepingInterval)
	defer t.Stop()
	for {
		e.housekeep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (e *incidentExporter) housekeep(ctx context.Context) {
	now := time.Now()
	if _, err := e.notifier.EnqueueRepeats(ctx, e.st, now); err != nil && ctx.Err() == nil {
		e.logger.Warn("incident: repeat notifications", zap.Error(err))
	}
	if r := e.cfg.Store.Retention; r > 0 {
		n, err := e.st.DeleteResolvedBefore(ctx, now.Add(-r))
		switch {
		case err != nil && ctx.Err() == nil:
			e.logger.Warn("incident: retention", zap.Error(err))
		case n > 0:
			e.logger.Info("incident: retention deleted resolved incidents", zap.Int("incidents", n), zap.Duration("retention", r))
		}
	}
	stats, err := e.st.OutboxStats(ctx)
	if err != nil {
		if ctx.Err() == nil {
			e.logger.Warn("incident: outbox stats", zap.Error(err))
		}
		return
	}
	e.outbox.set(stats)
}
