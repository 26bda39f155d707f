package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
)

// flakyServer answers 503 to the first failures requests of each
// Idempotency-Key, then 200, and counts what it accepted per key.
type flakyServer struct {
	failures int
	mu       sync.Mutex
	seen     map[string]int
	accepted map[string]int
}

func (f *flakyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(IdempotencyKeyHeader)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen[key]++
	if f.seen[key] <= f.failures {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	f.accepted[key]++
}

func (f *flakyServer) acceptedKeys() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.accepted {
		out[k] = v
	}
	return out
}

// The whole path: a store change plans notifications in its transaction,
// the worker delivers them over HTTP through retries, each key accepted
// once.
func TestChangesReachFlakyReceiversOnce(t *testing.T) {
	ctx := context.Background()
	hook := &flakyServer{failures: 2, seen: map[string]int{}, accepted: map[string]int{}}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()
	pd := &flakyServer{failures: 1, seen: map[string]int{}, accepted: map[string]int{}}
	pdSrv := httptest.NewServer(pd)
	defer pdSrv.Close()

	cfg := Config{
		Receivers: []ReceiverConfig{receiverConfig("hook", "webhook", hookSrv.URL), receiverConfig("pd", "pagerduty", pdSrv.URL)},
		Routes:    []RouteConfig{{Receivers: []string{"hook", "pd"}}},
	}
	n := newTestNotifier(t, cfg)
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "s.db"), store.Options{Planner: n.Plan})
	require.NoError(t, err)
	defer st.Close()

	dcfg := delivery.NewDefaultConfig()
	dcfg.PollInterval = 5 * time.Millisecond
	dcfg.Retry.InitialInterval = 5 * time.Millisecond
	dcfg.Retry.MaxInterval = 20 * time.Millisecond
	w := delivery.New(st, n.Deliverers(), dcfg, nil, zaptest.NewLogger(t))
	w.Start(ctx)
	defer func() { assert.NoError(t, w.Shutdown(ctx)) }()

	_, err = st.Apply(ctx, storetest.Opened("inc-1"), storetest.Opened("inc-2"))
	require.NoError(t, err)
	_, err = st.Acknowledge(ctx, "inc-1", store.Action{Actor: "alice"})
	require.NoError(t, err)
	_, err = st.Resolve(ctx, "inc-2", store.Action{Actor: "bob"})
	require.NoError(t, err)

	want := map[string]int{}
	for _, k := range []string{"inc-1/1", "inc-2/1", "inc-1/2", "inc-2/2"} {
		want[k+"/notify/hook"] = 1
	}
	require.Eventually(t, func() bool { return len(hook.acceptedKeys()) == len(want) }, 30*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return len(pd.acceptedKeys()) == len(want) }, 30*time.Second, 5*time.Millisecond)
	assert.Equal(t, want, hook.acceptedKeys())
	// The receiver answers before the worker records the delivery.
	require.Eventually(t, func() bool {
		s, err := st.OutboxStats(ctx)
		return err == nil && s == store.OutboxStats{Delivered: 8}
	}, 30*time.Second, 5*time.Millisecond)
}
