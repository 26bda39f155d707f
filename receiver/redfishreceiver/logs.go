// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
)

type logEvent struct {
	bmc      *bmc
	hostName string
	at       time.Time
	c        hwComponent
	from, to string
}

type healthTracker struct {
	last   map[string]string // hw.id -> hw.state
	loaded bool              // last was read from the store
}

func newHealthTracker() *healthTracker { return &healthTracker{last: map[string]string{}} }

// observe returns the transitions of snap against the previous scrape. A
// component first seen in a state other than ok is reported (from "").
func (h *healthTracker) observe(snap *snapshot, at time.Time) []logEvent {
	var out []logEvent
	for _, c := range snap.components {
		st, ok := hwState(c.health)
		if !ok || !present(c.state) {
			continue
		}
		prev, seen := h.last[c.id]
		h.last[c.id] = st
		if (seen && prev != st) || (!seen && st != "ok") {
			out = append(out, logEvent{at: at, c: c, from: prev, to: st})
		}
	}
	return out
}

// loadHealth restores the last known states (once), so a restart does not
// report again a transition that was already reported.
func (f *fleet) loadHealth(ctx context.Context, b *bmc) {
	if b.health.loaded {
		return
	}
	b.health.loaded = true
	if raw, err := f.store.Get(ctx, "redfish/"+b.name+"/health"); err == nil && len(raw) > 0 {
		var m map[string]string
		if json.Unmarshal(raw, &m) == nil {
			b.health.last = m
		}
	}
}

func (f *fleet) saveHealth(ctx context.Context, b *bmc) error {
	raw, err := json.Marshal(b.health.last)
	if err != nil {
		return err
	}
	return f.store.Set(ctx, "redfish/"+b.name+"/health", raw)
}

func withBMC(evs []logEvent, b *bmc, host string) []logEvent {
	for i := range evs {
		evs[i].bmc, evs[i].hostName = b, host
	}
	return evs
}

func severityOfState(st string) (plog.SeverityNumber, string) {
	switch st {
	case "failed":
		return plog.SeverityNumberError, "ERROR"
	case "degraded":
		return plog.SeverityNumberWarn, "WARN"
	}
	return plog.SeverityNumberInfo, "INFO"
}

func (f *fleet) logResource(rl plog.ResourceLogs, b *bmc, host string) {
	rb := metadata.NewResourceBuilder(f.cfg.ResourceAttributes)
	rb.SetHostName(f.hostName(b, host))
	rb.SetRedfishBmcAddress(b.address)
	rb.SetRedfishBmcName(b.name)
	rb.Emit().MoveTo(rl.Resource())
	for k, v := range b.cfg.Labels {
		rl.Resource().Attributes().PutStr(k, v)
	}
}

func appendHealthEvents(f *fleet, out plog.Logs, evs []logEvent) {
	byBMC := map[*bmc]plog.LogRecordSlice{}
	for _, e := range evs {
		lrs, ok := byBMC[e.bmc]
		if !ok {
			rl := out.ResourceLogs().AppendEmpty()
			f.logResource(rl, e.bmc, e.hostName)
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName(metadata.ScopeName)
			lrs = sl.LogRecords()
			byBMC[e.bmc] = lrs
		}
		lr := lrs.AppendEmpty()
		ts := pcommon.NewTimestampFromTime(e.at)
		lr.SetTimestamp(ts)
		lr.SetObservedTimestamp(ts)
		sn, stxt := severityOfState(e.to)
		lr.SetSeverityNumber(sn)
		lr.SetSeverityText(stxt)
		lr.SetEventName("hw.state_change")
		from := e.from
		if from == "" {
			from = "unknown"
		}
		lr.Body().SetStr(fmt.Sprintf("%s %q (%s): %s -> %s", e.c.typ, e.c.name, e.c.id, from, e.to))
		a := lr.Attributes()
		a.PutStr("hw.id", e.c.id)
		a.PutStr("hw.name", e.c.name)
		a.PutStr("hw.type", e.c.typ)
		if e.c.parent != "" {
			a.PutStr("hw.parent", e.c.parent)
		}
		a.PutStr("hw.state", e.to)
		a.PutStr("hw.state.previous", from)
	}
}
