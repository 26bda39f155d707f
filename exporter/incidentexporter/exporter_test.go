package incidentexporter

import (
	"cmp"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap/zaptest"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/metadatatest"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident/incidentlog"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/narrator"
)

// host serves the extensions a test needs.
type host struct {
	component.Host
	ext map[component.ID]component.Component
}

func (h host) GetExtensions() map[component.ID]component.Component { return h.ext }

func newHost(ext map[component.ID]component.Component) component.Host {
	return host{Host: componenttest.NewNopHost(), ext: ext}
}

// testConfig is the default config with the store in a temporary directory
// and a fast delivery worker.
func testConfig(t *testing.T) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Store.Directory = t.TempDir()
	cfg.Delivery.PollInterval = 20 * time.Millisecond
	cfg.Delivery.Retry.InitialInterval = 10 * time.Millisecond
	return cfg
}

// startExporter creates and starts the exporter with recorded self-metrics;
// it is shut down at the end of the test.
func startExporter(t *testing.T, cfg *Config, h component.Host) (*incidentExporter, *componenttest.Telemetry) {
	t.Helper()
	tt := componenttest.NewTelemetry()
	set := metadatatest.NewSettings(tt)
	set.Logger = zaptest.NewLogger(t)
	e, err := newIncidentExporter(set, cfg)
	require.NoError(t, err)
	require.NoError(t, e.start(context.Background(), h))
	t.Cleanup(func() {
		require.NoError(t, e.shutdown(context.Background()))
		require.NoError(t, tt.Shutdown(context.Background()))
	})
	return e, tt
}

func recordsOf(t *testing.T, ups ...incident.Update) plog.Logs {
	t.Helper()
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, u := range ups {
		require.NoError(t, incidentlog.AppendIncident(lrs, u))
	}
	return ld
}

func TestConsumeLogsCommitsBeforeReturning(t *testing.T) {
	cfg := testConfig(t)
	e, tt := startExporter(t, cfg, componenttest.NewNopHost())

	ld := recordsOf(t, storetest.Opened(storetest.ID(1)), storetest.Opened(storetest.ID(2)))
	// A finding and an unrelated log in the same batch are ignored; a broken
	// incident record is skipped and does not fail the others.
	other := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
	other.Body().SetStr("GET /healthz 200")
	broken := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).CopyTo(broken)
	broken.Attributes().PutStr("aiops.incident.status", "exploded")
	require.NoError(t, e.consumeLogs(context.Background(), ld))

	// Read through a second connection to the file: the change is on disk.
	st, err := store.OpenSQLite(context.Background(), filepath.Join(cfg.Store.Directory, sqliteFileName(e.set.ID)), store.Options{})
	require.NoError(t, err)
	defer st.Close()
	for _, n := range []int{1, 2} {
		d, err := st.Get(context.Background(), storetest.ID(n))
		require.NoError(t, err)
		assert.Equal(t, incident.StatusOpen, d.Incident.Status)
	}
	// A replay changes nothing.
	require.NoError(t, e.consumeLogs(context.Background(), recordsOf(t, storetest.Opened(storetest.ID(1)))))
	d, err := st.Get(context.Background(), storetest.ID(1))
	require.NoError(t, err)
	assert.Equal(t, int64(1), d.Incident.Sequence)

	metadatatest.AssertEqualExporterIncidentRecords(t, tt, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: attribute.NewSet(attribute.String("outcome", "applied"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("outcome", "malformed"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("outcome", "duplicate"))},
	}, metricdatatest.IgnoreTimestamp())
}

// otlpSink is an OTLP/HTTP logs endpoint that keeps what it receives.
type otlpSink struct {
	mu         sync.Mutex
	records    []incident.Update
	fail       int // answer failStatus (default 503) to this many requests first
	failStatus int
}

func (s *otlpSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var rd io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rd = zr
	}
	body, _ := io.ReadAll(rd)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		w.WriteHeader(cmp.Or(s.failStatus, http.StatusServiceUnavailable))
		return
	}
	req := plogotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	for _, rl := range req.Logs().ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if u, err := incidentlog.UnmarshalIncident(lr); err == nil {
					s.records = append(s.records, u)
				}
			}
		}
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	out, _ := plogotlp.NewExportResponse().MarshalProto()
	_, _ = w.Write(out)
}

func (s *otlpSink) events() []incident.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var evs []incident.Event
	for _, u := range s.records {
		evs = append(evs, u.Event)
	}
	return evs
}

func TestForwardsPipelineAndHumanChanges(t *testing.T) {
	sink := &otlpSink{fail: 2}
	srv := httptest.NewServer(sink)
	defer srv.Close()

	cfg := testConfig(t)
	fwd := cfg.Forward.OTLPHTTP.GetOrInsertDefault()
	fwd.ClientConfig.Endpoint = srv.URL
	e, _ := startExporter(t, cfg, componenttest.NewNopHost())

	id := storetest.ID(7)
	require.NoError(t, e.consumeLogs(context.Background(), recordsOf(t, storetest.Opened(id))))
	_, err := e.st.Acknowledge(context.Background(), id, store.Action{Actor: "alice"})
	require.NoError(t, err)

	// The backend refuses twice; the outbox retries and delivers both, each
	// with the store's own sequence (delivery order is not guaranteed: a
	// backend keeps the highest sequence, see docs/data-model.md).
	require.Eventually(t, func() bool { return len(sink.events()) == 2 }, 10*time.Second, 20*time.Millisecond)
	sink.mu.Lock()
	defer sink.mu.Unlock()
	seqs := map[incident.Event]int64{}
	for _, u := range sink.records {
		seqs[u.Event] = u.Incident.Sequence
	}
	assert.Equal(t, map[incident.Event]int64{incident.EventOpened: 1, incident.EventAcknowledged: 2}, seqs)
}

// A backend that refuses a record for good (400) ends its message as dead
// instead of retrying it forever.
func TestForwardPermanentRefusalEndsDead(t *testing.T) {
	sink := &otlpSink{fail: 1 << 30, failStatus: http.StatusBadRequest}
	srv := httptest.NewServer(sink)
	defer srv.Close()
	cfg := testConfig(t)
	cfg.Forward.OTLPHTTP.GetOrInsertDefault().ClientConfig.Endpoint = srv.URL
	e, tt := startExporter(t, cfg, componenttest.NewNopHost())

	require.NoError(t, e.consumeLogs(context.Background(), recordsOf(t, storetest.Opened(storetest.ID(9)))))
	require.Eventually(t, func() bool {
		st, err := e.st.OutboxStats(context.Background())
		return err == nil && st.Dead == 1 && st.Pending == 0
	}, 10*time.Second, 20*time.Millisecond)
	metadatatest.AssertEqualExporterIncidentDeliveries(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("destination", "forward/otlp_http"), attribute.String("result", "failed"))},
	}, metricdatatest.IgnoreTimestamp())

	// The outbox gauge shows it after the next housekeeping pass.
	e.housekeep(context.Background())
	metadatatest.AssertEqualExporterIncidentOutboxMessages(t, tt, []metricdata.DataPoint[int64]{
		{Value: 0, Attributes: attribute.NewSet(attribute.String("state", "pending"))},
		{Value: 0, Attributes: attribute.NewSet(attribute.String("state", "due"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("state", "dead"))},
	}, metricdatatest.IgnoreTimestamp())
}

// fakeNarrator answers every request with a ready narrative, from its own
// goroutine as a real one would.
type fakeNarrator struct {
	component.StartFunc
	component.ShutdownFunc
	mu   sync.Mutex
	reqs []narrator.Request
	busy int // answer ErrBusy to this many submissions first
}

func (f *fakeNarrator) Submit(req narrator.Request, done func(incident.Narrative)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.busy > 0 {
		f.busy--
		return narrator.ErrBusy
	}
	f.reqs = append(f.reqs, req)
	go done(incident.Narrative{
		Status: incident.NarrativeReady, Text: "The fan failed on " + req.Incident.Hosts[0] + ".",
		Generator: "fake", UpdatedAt: time.Now(),
	})
	return nil
}

func TestNarratorNarratesAndTheNarrativeIsStoredAndForwarded(t *testing.T) {
	sink := &otlpSink{}
	srv := httptest.NewServer(sink)
	defer srv.Close()
	narID := component.MustNewID("llm_narrator")
	fake := &fakeNarrator{busy: 1}

	cfg := testConfig(t)
	cfg.Narrator = &narID
	cfg.Forward.OTLPHTTP.GetOrInsertDefault().ClientConfig.Endpoint = srv.URL
	e, _ := startExporter(t, cfg, newHost(map[component.ID]component.Component{narID: fake}))

	// A resolved incident first, so the request carries a similar past one.
	past := storetest.ID(1)
	require.NoError(t, e.consumeLogs(context.Background(), recordsOf(t, storetest.Opened(past))))
	_, err := e.st.Resolve(context.Background(), past, store.Action{Actor: "bob"})
	require.NoError(t, err)
	id := storetest.ID(2)
	require.NoError(t, e.consumeLogs(context.Background(), recordsOf(t, storetest.Opened(id))))

	require.Eventually(t, func() bool {
		d, err := e.st.Get(context.Background(), id)
		return err == nil && d.Incident.Narrative.Status == incident.NarrativeReady
	}, 10*time.Second, 20*time.Millisecond)
	fake.mu.Lock()
	var forID *narrator.Request
	for i := range fake.reqs {
		if fake.reqs[i].Incident.ID == id {
			forID = &fake.reqs[i]
		}
	}
	fake.mu.Unlock()
	require.NotNil(t, forID)
	assert.NotEmpty(t, forID.Incident.Members, "the request carries the members")
	require.NotEmpty(t, forID.Similar, "the request carries similar past incidents")
	assert.Equal(t, past, forID.Similar[0].Incident.ID)

	require.Eventually(t, func() bool {
		for _, ev := range sink.events() {
			if ev == incident.EventNarrated {
				return true
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, "the narrated change is forwarded")
}

func TestNarratorMisconfigured(t *testing.T) {
	narID := component.MustNewID("llm_narrator")
	notANarrator := struct {
		component.StartFunc
		component.ShutdownFunc
	}{}
	for name, tc := range map[string]struct {
		ext  map[component.ID]component.Component
		want string
	}{
		"missing":        {want: "is not running"},
		"not a narrator": {ext: map[component.ID]component.Component{narID: notANarrator}, want: "does not write narratives"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Narrator = &narID
			e, err := newIncidentExporter(exportertest.NewNopSettings(metadata.Type), cfg)
			require.NoError(t, err)
			err = e.start(context.Background(), newHost(tc.ext))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// TestPostgresStore runs the exporter on PostgreSQL (storetest.PostgresDSNEnv,
// which .ci/run sets with a throwaway server) in its own schema: records are
// committed before ConsumeLogs returns and a second exporter sharing the
// database sees them.
func TestPostgresStore(t *testing.T) {
	dsn, schema := storetest.PostgresSchema(t, "aiops_exporter_test_")
	cfg := testConfig(t)
	cfg.Store.Driver, cfg.Store.DSN, cfg.Store.Schema = driverPostgres, configopaque.String(dsn), schema

	first, _ := startExporter(t, cfg, componenttest.NewNopHost())
	id := storetest.ID(42)
	require.NoError(t, first.consumeLogs(context.Background(), recordsOf(t, storetest.Opened(id))))

	second, _ := startExporter(t, cfg, componenttest.NewNopHost())
	d, err := second.st.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, incident.StatusOpen, d.Incident.Status)
}
