package notify

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

func repeatConfig() Config {
	return Config{
		Receivers: []ReceiverConfig{
			receiverConfig("pager", "pagerduty", ""),
			receiverConfig("chat", "slack", "https://hooks.slack.com/services/X"),
		},
		Routes: []RouteConfig{
			{Receivers: []string{"pager"}, RepeatInterval: time.Hour, Statuses: []incident.Status{incident.StatusOpen}, Continue: true},
			{Receivers: []string{"chat"}, RepeatInterval: 3 * time.Hour},
		},
	}
}

func openTestStore(t *testing.T, path string) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), path, store.Options{Now: storetest.NewClock(storetest.T0.Add(time.Minute)).Now})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func pending(t *testing.T, st store.Store) int64 {
	t.Helper()
	s, err := st.OutboxStats(context.Background())
	require.NoError(t, err)
	return s.Pending
}

func TestEnqueueRepeatsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	st := openTestStore(t, path)
	_, err := st.Apply(ctx, storetest.Opened("inc-open"), storetest.Opened("inc-acked"), storetest.Opened("inc-done"))
	require.NoError(t, err)
	_, err = st.Acknowledge(ctx, "inc-acked", store.Action{Actor: "alice"})
	require.NoError(t, err)
	_, err = st.Resolve(ctx, "inc-done", store.Action{Actor: "alice"})
	require.NoError(t, err)
	n := newTestNotifier(t, repeatConfig())
	opened := storetest.T0

	added, err := n.EnqueueRepeats(ctx, st, opened.Add(59*time.Minute))
	require.NoError(t, err)
	assert.Zero(t, added, "nothing is due before the first interval")

	// After an hour: the pager route repeats open incidents only; chat's
	// three hours have not passed.
	added, err = n.EnqueueRepeats(ctx, st, opened.Add(time.Hour+time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 1, added)
	added, err = n.EnqueueRepeats(ctx, st, opened.Add(time.Hour+30*time.Minute))
	require.NoError(t, err)
	assert.Zero(t, added, "the same interval is enqueued once")

	// A restarted collector (new store handle, new notifier) adds nothing
	// for the same interval either.
	require.NoError(t, st.Close())
	st = openTestStore(t, path)
	n = newTestNotifier(t, repeatConfig())
	added, err = n.EnqueueRepeats(ctx, st, opened.Add(time.Hour+45*time.Minute))
	require.NoError(t, err)
	assert.Zero(t, added)

	// After three hours: pager's third interval for the open incident, and
	// chat for both the open and the acknowledged one; never the resolved.
	added, err = n.EnqueueRepeats(ctx, st, opened.Add(3*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 3, added)
	assert.Equal(t, int64(4), pending(t, st))

	msgs, err := st.Claim(ctx, 10, time.Minute)
	require.NoError(t, err)
	keys := map[string]string{}
	for _, m := range msgs {
		doc, err := decodeDocument(m.Payload)
		require.NoError(t, err)
		assert.Equal(t, "repeat", doc.Event)
		keys[m.Key] = m.Destination
	}
	assert.Equal(t, map[string]string{
		"inc-open/repeat-1/notify/pager": "notify/pager",
		"inc-open/repeat-3/notify/pager": "notify/pager",
		"inc-open/repeat-1/notify/chat":  "notify/chat",
		"inc-acked/repeat-1/notify/chat": "notify/chat",
	}, keys)
}

func TestEnqueueRepeatsSkipsSilenced(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, filepath.Join(t.TempDir(), "s.db"))
	_, err := st.Apply(ctx, storetest.Opened("inc-a"))
	require.NoError(t, err)
	_, err = st.CreateSilence(ctx, store.Silence{
		Matchers: []store.Matcher{{Name: "id", Op: store.MatchEqual, Value: "inc-a"}},
		EndsAt:   storetest.T0.Add(2 * time.Hour), CreatedBy: "alice",
	})
	require.NoError(t, err)
	n := newTestNotifier(t, repeatConfig())

	added, err := n.EnqueueRepeats(ctx, st, storetest.T0.Add(90*time.Minute))
	require.NoError(t, err)
	assert.Zero(t, added, "silenced")
}

func TestEnqueueRepeatsPagesThroughEveryIncident(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, filepath.Join(t.TempDir(), "s.db"))
	const count = repeatPageSize*2 + 7
	ups := make([]incident.Update, count)
	for i := range ups {
		ups[i] = storetest.Opened(storetest.ID(i))
	}
	_, err := st.Apply(ctx, ups...)
	require.NoError(t, err)
	cfg := repeatConfig()
	cfg.Routes = cfg.Routes[:1]
	cfg.Receivers = cfg.Receivers[:1]
	n := newTestNotifier(t, cfg)

	added, err := n.EnqueueRepeats(ctx, st, storetest.T0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, count, added)
}

func TestEnqueueRepeatsWithoutRepeatingRoutes(t *testing.T) {
	n := newTestNotifier(t, oneReceiver("webhook", "https://example.com/hook"))
	// No store access at all: a nil store would panic.
	added, err := n.EnqueueRepeats(context.Background(), nil, time.Now())
	require.NoError(t, err)
	assert.Zero(t, added)
}
