// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/scraper/scrapererror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
)

// maxPendingEvents bounds the health transitions waiting for the logs scraper.
const maxPendingEvents = 10000

// registry shares one fleet (one client, hence one session, per BMC) between
// the metrics and logs receivers of the same component ID.
type registry struct {
	mu sync.Mutex
	m  map[component.ID]*fleet
}

var fleets = &registry{m: map[component.ID]*fleet{}}

func (r *registry) acquire(set receiver.Settings, cfg *Config) (*fleet, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.m[set.ID]; ok {
		return f, nil
	}
	f := newFleet(set, cfg)
	f.release = func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.m[set.ID] == f {
			delete(r.m, set.ID)
		}
	}
	r.m[set.ID] = f
	return f, nil
}

// bmc is the per-BMC state. Fields below busy are only touched by the
// goroutine that won busy.
type bmc struct {
	cfg     BMCConfig
	name    string
	address string
	attrs   metric.MeasurementOption

	busy    atomic.Bool // a metrics scrape is running
	logBusy atomic.Bool // a logs scrape is running
	slow    atomic.Bool // the last metrics scrape ran into bmc_timeout
	logSlow atomic.Bool // the last logs scrape ran into bmc_timeout

	c   *client.Client
	co  *collector
	inv *inventory
	mb  *metadata.MetricsBuilder

	invAttrs map[string][3]string // hw.id -> model, serial, firmware (from the last inventory refresh)
	health   *healthTracker
	cursors  *cursorSet
	invMu    sync.Mutex // guards inv for the logs scraper
}

// fleet scrapes every configured BMC with a bounded pool of workers.
type fleet struct {
	cfg     *Config
	set     receiver.Settings
	logger  *zap.Logger
	bmcs    []*bmc
	release func()
	// seams for tests
	newHTTPClient func(ctx context.Context, b BMCConfig) (*http.Client, error)
	now           func() time.Time
	maxEvents     int // health transitions that may wait for the logs scraper

	hasLogs atomic.Bool // a logs receiver shares this fleet: keep health transitions for it

	mu          sync.Mutex
	refs        int
	started     bool
	stopped     bool
	tb          *metadata.TelemetryBuilder
	jobs        chan func()
	runCtx      context.Context
	cancel      context.CancelFunc
	workers     sync.WaitGroup
	pending     pmetric.Metrics // results finished after their cycle returned
	pendingLogs plog.Logs
	pendLogErrs []error
	pendErrs    []error
	pendFail    int
	events      []logEvent // health transitions waiting for the logs scraper
	store       cursorStore
}

func newFleet(set receiver.Settings, cfg *Config) *fleet {
	f := &fleet{cfg: cfg, set: set, logger: set.Logger, pending: pmetric.NewMetrics(), pendingLogs: plog.NewLogs(), now: time.Now, store: nopStore{}, maxEvents: maxPendingEvents}
	f.newHTTPClient = f.defaultHTTPClient
	for _, bc := range cfg.BMCs {
		name := bc.name()
		addr := bc.Endpoint
		if u, err := url.Parse(bc.Endpoint); err == nil && u.Host != "" {
			addr = u.Host
		}
		f.bmcs = append(f.bmcs, &bmc{cfg: bc, name: name, address: addr,
			attrs:   metric.WithAttributeSet(attribute.NewSet(attribute.String("bmc", name))),
			health:  newHealthTracker(),
			cursors: newCursorSet(),
		})
	}
	return f
}

func (f *fleet) defaultHTTPClient(ctx context.Context, b BMCConfig) (*http.Client, error) {
	tlsCfg := f.cfg.TLS
	if b.TLS != nil {
		tlsCfg = *b.TLS
	}
	if tlsCfg.InsecureSkipVerify {
		f.logger.Warn("TLS certificate verification is disabled for this BMC (insecure_skip_verify): its identity and the credentials sent to it are not protected",
			zap.String("bmc", b.name()))
	}
	tc, err := tlsCfg.LoadTLSConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("redfish: bmc %q: tls: %w (check ca_file/cert_file/key_file)", b.name(), err)
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		TLSClientConfig:       tc,
		MaxIdleConnsPerHost:   f.cfg.MaxConcurrentRequests,
		MaxConnsPerHost:       f.cfg.MaxConcurrentRequests,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: f.cfg.BMCTimeout,
		ForceAttemptHTTP2:     false, // BMC HTTP/2 stacks are often broken
	}
	return &http.Client{Transport: tr}, nil
}

func (f *fleet) start(ctx context.Context, host component.Host) (err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refs++
	if f.started {
		return nil
	}
	tb, err := metadata.NewTelemetryBuilder(f.set.TelemetrySettings)
	if err != nil {
		return err
	}
	f.tb = tb
	defer func() {
		if err != nil { // leave nothing behind: Start may be retried
			tb.Shutdown()
			_ = f.store.Close(ctx)
			f.store = nopStore{}
		}
	}()
	if f.cfg.Logs.Storage != nil {
		st, err := openStore(ctx, host, *f.cfg.Logs.Storage, f.set.ID)
		if err != nil {
			return err
		}
		f.store = st
	}
	for _, b := range f.bmcs {
		hc, err := f.newHTTPClient(ctx, b.cfg)
		if err != nil {
			return err
		}
		auth := f.cfg.Auth
		if b.cfg.Auth != "" {
			auth = b.cfg.Auth
		}
		b.c = client.New(client.Config{
			Endpoint: b.cfg.Endpoint, Username: b.cfg.Username, Password: string(b.cfg.Password),
			Auth: auth, HTTPClient: hc, MaxConcurrentRequests: f.cfg.MaxConcurrentRequests,
		}, client.Hooks{
			SessionOpened: func() { tb.RedfishSessionsOpen.Add(context.Background(), 1, b.attrs) },
			SessionClosed: func() { tb.RedfishSessionsOpen.Add(context.Background(), -1, b.attrs) },
		})
		b.co = &collector{c: b.c, model: f.cfg.DataModel, parallelism: f.cfg.MaxConcurrentRequests,
			hwErrors: f.cfg.Metrics.HwErrors.Enabled, expand: f.cfg.Expand}
		b.mb = metadata.NewMetricsBuilder(f.cfg.MetricsBuilderConfig, f.set)
	}
	f.runCtx, f.cancel = context.WithCancel(context.Background())
	f.jobs = make(chan func(), 2*len(f.bmcs)+1)
	n := min(f.cfg.Concurrency, max(1, 2*len(f.bmcs)))
	for range n {
		f.workers.Add(1)
		go func() {
			defer f.workers.Done()
			for job := range f.jobs {
				job()
			}
		}()
	}
	f.started = true
	return nil
}

func (f *fleet) shutdown(ctx context.Context) error {
	f.mu.Lock()
	if f.refs > 0 {
		f.refs--
	}
	if f.refs > 0 || !f.started || f.stopped {
		f.mu.Unlock()
		if f.release != nil && f.refs == 0 {
			f.release()
		}
		return nil
	}
	f.stopped = true
	f.cancel()
	close(f.jobs)
	f.mu.Unlock()
	f.workers.Wait()
	// Delete the sessions in parallel (bounded): one by one, 1000 BMCs at
	// 200 ms per DELETE would hold shutdown for minutes.
	errs := make([]error, len(f.bmcs))
	sem := make(chan struct{}, f.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, b := range f.bmcs {
		if b.c == nil {
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = b.c.Close(ctx)
		}()
	}
	wg.Wait()
	errs = append(errs, f.store.Close(ctx))
	f.tb.Shutdown()
	if f.release != nil {
		f.release()
	}
	return errors.Join(errs...)
}

// submit queues job for the worker pool; false when shutting down.
func (f *fleet) submit(job func()) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.started || f.stopped {
		return false
	}
	f.jobs <- job // never blocks: at most 2 jobs (metrics, logs) per BMC are queued
	return true
}

// recordErr counts err by kind and returns it prefixed with the BMC name.
func (f *fleet) recordErr(b *bmc, err error) error {
	if err == nil {
		return nil
	}
	for _, e := range flatten(err) {
		f.tb.RedfishErrors.Add(context.Background(), 1, metric.WithAttributeSet(attribute.NewSet(
			attribute.String("bmc", b.name), attribute.String("kind", client.Kind(e)))))
	}
	return fmt.Errorf("redfish: bmc %q: %w", b.name, err)
}

// timedOut reports whether a run for one BMC ran into its deadline
// (bmc_timeout, or the transport's response timeout, which is the same).
func timedOut(ctx context.Context, err error) bool {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	for _, e := range flatten(err) {
		if client.Kind(e) == client.KindTimeout {
			return true
		}
	}
	return false
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// dispatch queues job for one BMC unless its previous one still runs
// (false). The cycle waits for the job through wg, except when the BMC's
// last run ran into bmc_timeout: its result then goes out with a later
// cycle, so a dead BMC holds up one cycle, not every cycle.
func (f *fleet) dispatch(busy, slow *atomic.Bool, wg *sync.WaitGroup, job func()) bool {
	if !busy.CompareAndSwap(false, true) {
		return false
	}
	wait := !slow.Load()
	if wait {
		wg.Add(1)
	}
	ok := f.submit(func() {
		if wait {
			defer wg.Done()
		}
		defer busy.Store(false)
		job()
	})
	if !ok {
		busy.Store(false)
		if wait {
			wg.Done()
		}
	}
	return true
}

// await returns when wg is done or ctx ends.
func await(ctx context.Context, wg *sync.WaitGroup) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// scrapeMetrics runs one cycle: every idle BMC is queued; the cycle returns
// when they are all done (BMCs that timed out last time aside) or ctx ends.
// A BMC still running from an earlier cycle is skipped (and counted); its
// late result goes out with this or the next cycle, never lost and never
// duplicated.
func (f *fleet) scrapeMetrics(ctx context.Context) (pmetric.Metrics, error) {
	var wg sync.WaitGroup
	for _, b := range f.bmcs {
		if !f.dispatch(&b.busy, &b.slow, &wg, func() { f.scrapeBMC(b) }) {
			f.tb.RedfishBmcScrapeSkipped.Add(ctx, 1, b.attrs)
			f.logger.Debug("previous scrape of this BMC still running, skipped", zap.String("bmc", b.name))
		}
	}
	await(ctx, &wg)
	f.mu.Lock()
	md := f.pending
	f.pending = pmetric.NewMetrics()
	errs, failed := f.pendErrs, f.pendFail
	f.pendErrs, f.pendFail = nil, 0
	f.mu.Unlock()
	if len(errs) > 0 {
		return md, scrapererror.NewPartialScrapeError(errors.Join(errs...), failed)
	}
	return md, nil
}

// scrapeBMC runs in a worker with the BMC's busy flag held.
func (f *fleet) scrapeBMC(b *bmc) {
	start := f.now()
	ctx, cancel := context.WithTimeout(f.runCtx, f.cfg.BMCTimeout)
	defer cancel()
	var errs []error
	b.invMu.Lock()
	inv := b.inv
	b.invMu.Unlock()
	refreshed := false
	if inv == nil || (f.cfg.InventoryInterval > 0 && start.Sub(inv.at) >= f.cfg.InventoryInterval) {
		ni, err := b.co.discover(ctx)
		if ni != nil {
			ni.at = start
			if err != nil {
				ni.at = time.Time{} // incomplete: use it now, rediscover next scrape
			}
			refreshed = true
			inv = ni
			b.invMu.Lock()
			b.inv = ni
			b.invMu.Unlock()
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	var snap *snapshot
	if inv != nil {
		s, err := b.co.scrape(ctx, inv)
		snap = s
		if err != nil {
			errs = append(errs, err)
		}
	}
	f.tb.RedfishBmcScrapeDuration.Record(context.Background(), f.now().Sub(start).Seconds(), b.attrs)
	err := f.recordErr(b, errors.Join(errs...))
	b.slow.Store(timedOut(ctx, err))
	md := pmetric.NewMetrics()
	failed := 0
	if snap != nil {
		b.applyInventory(snap, refreshed)
		ts := pcommon.NewTimestampFromTime(start)
		record(b.mb, ts, snap)
		md = b.mb.Emit(metadata.WithResource(f.resource(b, snap.hostName)))
		if f.cfg.Logs.HealthTransitions && f.hasLogs.Load() {
			f.loadHealth(f.runCtx, b)
			if evs := b.health.observe(snap, start); len(evs) > 0 {
				if serr := f.saveHealth(f.runCtx, b); serr != nil {
					f.logger.Warn("cannot persist component health states", zap.String("bmc", b.name), zap.Error(serr))
				}
				f.mu.Lock()
				f.events = append(f.events, withBMC(evs, b, snap.hostName)...)
				if over := len(f.events) - f.maxEvents; over > 0 { // logs pipeline stalled: drop oldest
					f.events = append(f.events[:0:0], f.events[over:]...)
					f.tb.RedfishHealthTransitionsDropped.Add(context.Background(), int64(over))
					f.set.Logger.Warn("health transitions dropped: the logs scraper is not keeping up", zap.Int("dropped", over))
				}
				f.mu.Unlock()
			}
		}
		if err != nil {
			failed = len(flatten(errors.Join(errs...)))
		}
	} else if err != nil {
		failed = 1
	}
	f.mu.Lock()
	md.ResourceMetrics().MoveAndAppendTo(f.pending.ResourceMetrics())
	if err != nil {
		f.pendErrs = append(f.pendErrs, err)
		f.pendFail += failed
	}
	f.mu.Unlock()
}

func (f *fleet) hostName(b *bmc, reported string) string {
	switch {
	case b.cfg.HostName != "":
		return b.cfg.HostName
	case reported != "":
		return reported
	}
	return b.name
}

func (f *fleet) resource(b *bmc, reported string) pcommon.Resource {
	rb := b.mb.NewResourceBuilder()
	rb.SetHostName(f.hostName(b, reported))
	rb.SetRedfishBmcAddress(b.address)
	rb.SetRedfishBmcName(b.name)
	res := rb.Emit()
	for k, v := range b.cfg.Labels {
		res.Attributes().PutStr(k, v)
	}
	return res
}

// scrapeLogs runs the logs cycle: event-log entries of every idle BMC plus
// the health transitions found by the metrics scrapes. Like metrics, a
// result that arrives after its cycle returned goes out with the next one.
func (f *fleet) scrapeLogs(ctx context.Context) (plog.Logs, error) {
	var wg sync.WaitGroup
	if f.cfg.Logs.EventLog {
		for _, b := range f.bmcs {
			f.dispatch(&b.logBusy, &b.logSlow, &wg, func() {
				ld, err := f.scrapeEventLog(b)
				err = f.recordErr(b, err)
				f.mu.Lock()
				defer f.mu.Unlock()
				ld.ResourceLogs().MoveAndAppendTo(f.pendingLogs.ResourceLogs())
				if err != nil {
					f.pendLogErrs = append(f.pendLogErrs, err)
				}
			})
		}
	}
	await(ctx, &wg)
	f.mu.Lock()
	out := f.pendingLogs
	f.pendingLogs = plog.NewLogs()
	evs, errs := f.events, f.pendLogErrs
	f.events, f.pendLogErrs = nil, nil
	f.mu.Unlock()
	appendHealthEvents(f, out, evs)
	if f.tb != nil {
		f.tb.RedfishLogRecords.Add(ctx, int64(out.LogRecordCount()))
	}
	if len(errs) > 0 {
		return out, scrapererror.NewPartialScrapeError(errors.Join(errs...), len(errs))
	}
	return out, nil
}

// applyInventory makes model, serial number and firmware inventory data:
// taken from the scrape that refreshed the inventory and reused until the
// next refresh, so they change every inventory_interval at most.
func (b *bmc) applyInventory(snap *snapshot, refreshed bool) {
	if refreshed || b.invAttrs == nil {
		b.invAttrs = make(map[string][3]string, len(snap.components))
		for _, c := range snap.components {
			b.invAttrs[c.id] = [3]string{c.model, c.serial, c.fw}
		}
		return
	}
	for i := range snap.components {
		c := &snap.components[i]
		a, ok := b.invAttrs[c.id]
		if !ok { // a component that appeared since the last refresh
			a = [3]string{c.model, c.serial, c.fw}
			b.invAttrs[c.id] = a
		}
		c.model, c.serial, c.fw = a[0], a[1], a[2]
	}
}
