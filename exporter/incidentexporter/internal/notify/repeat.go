package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// repeatPageSize bounds the incidents held in memory per List call.
const repeatPageSize = 200

// EnqueueRepeats enqueues reminders for open and acknowledged incidents:
// each receiver a route with a repeat_interval sends an incident to gets one
// reminder per interval elapsed since the incident opened. The key
// "<incident id>/repeat-<n>/notify/<receiver>" names the nth interval, so
// calling it again, after a restart or from another collector sharing the
// store, adds nothing. Silenced incidents get no reminder. It returns the
// number of messages added. The exporter calls it on a ticker.
func (n *Notifier) EnqueueRepeats(ctx context.Context, st store.Store, now time.Time) (int, error) {
	if !n.router.repeats {
		return 0, nil
	}
	silences, err := st.ListSilences(ctx, false)
	if err != nil {
		return 0, fmt.Errorf("notify: repeats: listing silences: %w", err)
	}
	f := store.Filter{Statuses: []incident.Status{incident.StatusOpen, incident.StatusAcknowledged}, Limit: repeatPageSize}
	added := 0
	for {
		page, err := st.List(ctx, f)
		if err != nil {
			return added, fmt.Errorf("notify: repeats: listing incidents: %w", err)
		}
		var msgs []store.OutboxMessage
		for i := range page.Incidents {
			msgs = n.appendRepeats(msgs, &page.Incidents[i], silences, now)
		}
		if len(msgs) > 0 {
			k, err := st.Enqueue(ctx, msgs...)
			added += k
			if err != nil {
				return added, fmt.Errorf("notify: repeats: %w", err)
			}
		}
		if page.Next == "" {
			return added, nil
		}
		f.Cursor = page.Next
	}
}

// appendRepeats appends the reminders due for inc at now.
func (n *Notifier) appendRepeats(msgs []store.OutboxMessage, inc *incident.Incident, silences []store.Silence, now time.Time) []store.OutboxMessage {
	if silenced(inc, silences, now) {
		return msgs
	}
	var buf [8]target
	var payload []byte // shared by the targets of the same nth reminder
	var payloadNth int64
	for _, t := range n.router.match(incident.EventOpened, inc, buf[:0]) {
		if t.repeat <= 0 {
			continue
		}
		nth := int64(now.Sub(inc.OpenedAt) / t.repeat)
		if nth < 1 {
			continue
		}
		if nth != payloadNth {
			c := store.Change{Changed: true, Update: incident.Update{Incident: *inc}}
			// Document fields are plain types: marshaling cannot fail.
			payload, _ = json.Marshal(newDocument(&c, nth, n.incidentURL))
			payloadNth = nth
		}
		dest := n.receivers[t.receiver].destination
		msgs = append(msgs, store.OutboxMessage{
			Destination: dest, Key: inc.ID + "/repeat-" + strconv.FormatInt(nth, 10) + "/" + dest,
			IncidentID: inc.ID, Payload: payload,
		})
	}
	return msgs
}

// silenced reports whether an active silence covers inc at now.
func silenced(inc *incident.Incident, silences []store.Silence, now time.Time) bool {
	for _, s := range silences {
		if !now.Before(s.StartsAt) && now.Before(s.EndsAt) && s.Matches(*inc) {
			return true
		}
	}
	return false
}
