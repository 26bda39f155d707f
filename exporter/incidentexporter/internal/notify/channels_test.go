package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	am "github.com/otelcol-aiops/otelcol-aiops/pkg/alertmanager"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// request is what a test receiver saw.
type request struct {
	path   string
	header http.Header
	body   []byte
}

// newReceiverServer answers every request with status and records it.
func newReceiverServer(t *testing.T, status int, header map[string]string) (*httptest.Server, <-chan request) {
	t.Helper()
	got := make(chan request, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		assert.Equal(t, http.MethodPost, r.Method)
		got <- request{path: r.URL.Path, header: r.Header.Clone(), body: body}
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"status":"answer"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// oneReceiver is a config with one receiver routed for every event.
func oneReceiver(kind, endpoint string) Config {
	return Config{
		Receivers:   []ReceiverConfig{receiverConfig("r1", kind, endpoint)},
		Routes:      []RouteConfig{{Receivers: []string{"r1"}, Events: []string{"opened", "reopened", "updated", "acknowledged", "resolved", "narrated"}}},
		IncidentURL: "https://aiops.example.com/incidents/{id}",
	}
}

// deliverOne plans c for the only receiver, delivers it and returns what
// the receiver got.
func deliverOne(t *testing.T, n *Notifier, c store.Change, got <-chan request) (store.OutboxMessage, request) {
	t.Helper()
	msgs := n.Plan(c)
	require.Len(t, msgs, 1)
	require.NoError(t, n.Deliver(context.Background(), msgs[0]))
	select {
	case r := <-got:
		return msgs[0], r
	case <-time.After(30 * time.Second):
		t.Fatal("the receiver got nothing")
		return store.OutboxMessage{}, request{}
	}
}

func resolvedIncident() incident.Incident {
	inc := fullIncident()
	inc.Status, inc.Sequence, inc.ResolvedAt, inc.UpdatedAt = incident.StatusResolved, 4, t0.Add(time.Hour), t0.Add(time.Hour)
	return inc
}

func TestWebhookSignedDocument(t *testing.T) {
	srv, got := newReceiverServer(t, http.StatusNoContent, nil)
	n := newTestNotifier(t, oneReceiver("webhook", srv.URL+"/hook"))
	m, r := deliverOne(t, n, change(incident.EventOpened, fullIncident()), got)

	checkGolden(t, "webhook_opened.json", r.body)
	assert.Equal(t, m.Payload, r.body, "the webhook posts the stored document as it is")
	assert.Equal(t, "/hook", r.path)
	assert.Equal(t, "inc-00000000000000ab/3/notify/r1", r.header.Get(IdempotencyKeyHeader))
	assert.Equal(t, "opened", r.header.Get(EventHeader))
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))

	// The receiver's side: recompute the HMAC over timestamp "." body.
	ts := r.header.Get(TimestampHeader)
	assert.Equal(t, strconv.FormatInt(t0.Unix(), 10), ts)
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write([]byte(ts + "." + string(r.body)))
	want := "v1=" + hex.EncodeToString(mac.Sum(nil))
	assert.True(t, hmac.Equal([]byte(want), []byte(r.header.Get(SignatureHeader))), "signature verifies")

	mac = hmac.New(sha256.New, []byte("wrong"))
	mac.Write([]byte(ts + "." + string(r.body)))
	assert.NotEqual(t, "v1="+hex.EncodeToString(mac.Sum(nil)), r.header.Get(SignatureHeader))
}

func TestWebhookWithoutSecretIsUnsigned(t *testing.T) {
	srv, got := newReceiverServer(t, http.StatusOK, nil)
	cfg := oneReceiver("webhook", srv.URL)
	cfg.Receivers[0].Webhook.Secret = ""
	_, r := deliverOne(t, newTestNotifier(t, cfg), change(incident.EventOpened, fullIncident()), got)
	assert.Empty(t, r.header.Get(SignatureHeader))
}

func TestSlackBlocks(t *testing.T) {
	srv, got := newReceiverServer(t, http.StatusOK, nil)
	n := newTestNotifier(t, oneReceiver("slack", srv.URL+"/services/T000/B000/XXXX"))
	_, r := deliverOne(t, n, change(incident.EventOpened, fullIncident()), got)
	checkGolden(t, "slack_opened.json", r.body)
	assert.Equal(t, "/services/T000/B000/XXXX", r.path)
	assert.Equal(t, "inc-00000000000000ab/3/notify/r1", r.header.Get(IdempotencyKeyHeader))

	var msg slackMessage
	require.NoError(t, json.Unmarshal(r.body, &msg))
	assert.LessOrEqual(t, len(msg.Blocks), slackMaxBlocks)
	assert.LessOrEqual(t, utf8.RuneCountInString(msg.Blocks[0].Text.Text), slackHeaderText)
	for _, b := range msg.Blocks {
		texts := append(append([]slackText{}, b.Fields...), b.Elements...)
		if b.Text != nil {
			texts = append(texts, *b.Text)
		}
		for _, tx := range texts {
			assert.LessOrEqual(t, utf8.RuneCountInString(tx.Text), slackSectionText)
			// No markup from the incident survives: the only '<' opens
			// the configured link.
			assert.NotContains(t, tx.Text, "<!channel>")
			assert.NotContains(t, tx.Text, "<@U123>")
			assert.NotContains(t, tx.Text, "<https://evil")
			assert.NotContains(t, tx.Text, "<b>")
		}
	}
}

func TestSlackReminderAndActor(t *testing.T) {
	inc := fullIncident()
	inc.Title, inc.Status = "short title", incident.StatusAcknowledged
	c := change(incident.EventAcknowledged, inc)
	c.Actor = "alice <@U1>"
	doc := newDocument(&c, 3, "")
	msg := renderSlack(&doc)
	assert.Equal(t, "Reminder 3: [CRITICAL] short title", msg.Blocks[0].Text.Text)
	footer := msg.Blocks[len(msg.Blocks)-1].Elements[0].Text
	assert.Equal(t, "Incident inc-00000000000000ab · sequence 3 · by alice &lt;@U1&gt;", footer, "no link without incident_url")
}

func TestPagerDutyActions(t *testing.T) {
	ack := fullIncident()
	ack.Status, ack.Sequence = incident.StatusAcknowledged, 4
	for _, tc := range []struct {
		golden string
		c      store.Change
		action string
	}{
		{"pagerduty_trigger.json", change(incident.EventOpened, fullIncident()), "trigger"},
		{"pagerduty_acknowledge.json", store.Change{Changed: true, Actor: "alice", Update: incident.Update{Event: incident.EventAcknowledged, Incident: ack}}, "acknowledge"},
		{"pagerduty_resolve.json", change(incident.EventResolved, resolvedIncident()), "resolve"},
	} {
		t.Run(tc.action, func(t *testing.T) {
			srv, got := newReceiverServer(t, http.StatusAccepted, nil)
			n := newTestNotifier(t, oneReceiver("pagerduty", srv.URL+"/v2/enqueue"))
			m, r := deliverOne(t, n, tc.c, got)
			checkGolden(t, tc.golden, r.body)
			assert.Equal(t, m.Key, r.header.Get(IdempotencyKeyHeader))

			var ev pdEvent
			require.NoError(t, json.Unmarshal(r.body, &ev))
			assert.Equal(t, tc.action, ev.EventAction)
			assert.Equal(t, "inc-00000000000000ab", ev.DedupKey, "the incident ID ties all events to one PagerDuty incident")
			assert.Equal(t, "R0UTINGKEY", ev.RoutingKey)
		})
	}
}

func TestPagerDutyLimits(t *testing.T) {
	inc := fullIncident()
	inc.Hosts = nil
	inc.Services = nil
	for i := range 300 {
		inc.Services = append(inc.Services, "svc-"+strconv.Itoa(1000+i))
	}
	inc.ID = strings.Repeat("i", 300)
	doc := newDocument(ptrTo(change(incident.EventOpened, inc)), 0, "")
	doc.Incident.Title = strings.Repeat("é", 5000) // longer than a stored document holds
	ev := (&pagerDuty{}).render(&doc)
	assert.Equal(t, pdSummary, utf8.RuneCountInString(ev.Payload.Summary))
	assert.True(t, utf8.ValidString(ev.Payload.Summary))
	assert.Len(t, ev.Payload.CustomDetails.Services, pdDetailList)
	assert.Len(t, ev.DedupKey, 64, "a long ID is hashed, not cut")
	assert.Equal(t, "svc-1000", ev.Payload.Source, "without hosts the first service is the source")
	raw, err := json.Marshal(ev)
	require.NoError(t, err)
	assert.Less(t, len(raw), 64<<10, "the event stays far below PagerDuty's 512 KB")
}

func ptrTo[T any](v T) *T { return &v }

func TestAlertmanagerPayload(t *testing.T) {
	for _, tc := range []struct {
		golden, status string
		c              store.Change
	}{
		{"alertmanager_firing.json", "firing", change(incident.EventOpened, fullIncident())},
		{"alertmanager_resolved.json", "resolved", change(incident.EventResolved, resolvedIncident())},
	} {
		t.Run(tc.status, func(t *testing.T) {
			srv, got := newReceiverServer(t, http.StatusOK, nil)
			n := newTestNotifier(t, oneReceiver("alertmanager", srv.URL))
			_, r := deliverOne(t, n, tc.c, got)
			checkGolden(t, tc.golden, r.body)
			var msg am.Message
			require.NoError(t, json.Unmarshal(r.body, &msg))
			assert.Equal(t, tc.status, msg.Status)
			assert.Equal(t, "r1", msg.Receiver)
			require.Len(t, msg.Alerts, 1)
			assert.Equal(t, "k8s_cluster", labelName("k8s.cluster"))
			assert.Equal(t, "eu-1", msg.Alerts[0].Labels["k8s_cluster"])
		})
	}
}

func TestDeliverClassifiesFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		header    map[string]string
		permanent bool
		delay     time.Duration
	}{
		{"server error", http.StatusBadGateway, nil, false, 0},
		{"request timeout", http.StatusRequestTimeout, nil, false, 0},
		{"rate limited", http.StatusTooManyRequests, map[string]string{"Retry-After": "7"}, false, 7 * time.Second},
		{"unavailable until a date", http.StatusServiceUnavailable, map[string]string{"Retry-After": t0.Add(time.Minute).Format(http.TimeFormat)}, false, time.Minute},
		{"bad request", http.StatusBadRequest, nil, true, 0},
		{"gone", http.StatusGone, nil, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newReceiverServer(t, tc.status, tc.header)
			n := newTestNotifier(t, oneReceiver("slack", srv.URL+"/services/SECRET"))
			msgs := n.Plan(change(incident.EventOpened, fullIncident()))
			err := n.Deliver(context.Background(), msgs[0])
			require.Error(t, err)
			assert.Equal(t, tc.permanent, delivery.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), `slack receiver "r1": HTTP `+strconv.Itoa(tc.status))
			assert.NotContains(t, err.Error(), "SECRET", "the webhook URL is a secret")
			d, ok := delivery.RetryDelay(err)
			assert.Equal(t, tc.delay != 0, ok)
			assert.Equal(t, tc.delay, d)
		})
	}
}

func TestDeliverTransportFailuresAreRetryable(t *testing.T) {
	srv, _ := newReceiverServer(t, http.StatusOK, nil)
	url := srv.URL + "/services/SECRET"
	srv.Close() // connection refused from now on
	n := newTestNotifier(t, oneReceiver("slack", url))
	msgs := n.Plan(change(incident.EventOpened, fullIncident()))
	err := n.Deliver(context.Background(), msgs[0])
	require.Error(t, err)
	assert.False(t, delivery.IsPermanent(err))
	assert.NotContains(t, err.Error(), "SECRET")

	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-hang }))
	defer slow.Close()
	defer close(hang)
	n = newTestNotifier(t, oneReceiver("webhook", slow.URL))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = n.Deliver(ctx, n.Plan(change(incident.EventOpened, fullIncident()))[0])
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, delivery.IsPermanent(err))
}

func TestDeliverRefusesBadMessages(t *testing.T) {
	n := newTestNotifier(t, oneReceiver("webhook", "http://127.0.0.1:1"))
	err := n.Deliver(context.Background(), store.OutboxMessage{Destination: "notify/gone", Key: "k", Payload: []byte("{}")})
	require.ErrorIs(t, err, delivery.ErrUnknownDestination)

	for _, payload := range []string{"not json", `{"version":"0","incident":{"id":"x"}}`, `{"version":"1","incident":{}}`} {
		err = n.Deliver(context.Background(), store.OutboxMessage{Destination: "notify/r1", Key: "k", Payload: []byte(payload)})
		require.Error(t, err, payload)
		assert.True(t, delivery.IsPermanent(err), "%s: %v", payload, err)
	}
}
