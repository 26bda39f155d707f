// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
)

// ---- health transitions ----

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

// ---- event log (SEL / LogService entries) ----

// cursor is the high-water mark of one log service: the newest Created
// time emitted and the entry ids emitted at exactly that time; MaxNum is
// used for entries without a Created time.
type cursor struct {
	T      time.Time `json:"t"`
	IDs    []string  `json:"ids,omitempty"`
	MaxNum int64     `json:"max_num"`
}

type entry struct {
	id      string
	num     int64
	created time.Time
	doc     client.Doc
}

func (c *cursor) isNew(e entry) bool {
	if e.created.IsZero() {
		return e.num > c.MaxNum
	}
	if e.created.After(c.T) {
		return true
	}
	return e.created.Equal(c.T) && !slices.Contains(c.IDs, e.id)
}

func (c *cursor) advance(e entry) {
	if e.num > c.MaxNum {
		c.MaxNum = e.num
	}
	if e.created.IsZero() {
		return
	}
	if e.created.After(c.T) {
		c.T, c.IDs = e.created, []string{e.id}
	} else if e.created.Equal(c.T) {
		c.IDs = append(c.IDs, e.id)
	}
}

type cursorSet struct {
	mu       sync.Mutex
	services []string // Entries collection URIs
	hostName string   // ComputerSystem.HostName seen during discovery
	at       time.Time
	cur      map[string]*cursor
}

func newCursorSet() *cursorSet { return &cursorSet{cur: map[string]*cursor{}} }

// cursorStore persists cursors (a storage extension client, or nothing).
type cursorStore interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte) error
	Close(ctx context.Context) error
}

type nopStore struct{}

func (nopStore) Get(context.Context, string) ([]byte, error) { return nil, nil }
func (nopStore) Set(context.Context, string, []byte) error   { return nil }
func (nopStore) Close(context.Context) error                 { return nil }

func openStore(ctx context.Context, host component.Host, id, owner component.ID) (cursorStore, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("redfish: storage extension %q not found (add it to service.extensions)", id)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("redfish: extension %q is not a storage extension", id)
	}
	return se.GetClient(ctx, component.KindReceiver, owner, "")
}

func (f *fleet) discoverLogServices(ctx context.Context, b *bmc) ([]string, string, error) {
	root, err := b.c.GetDoc(ctx, "/redfish/v1")
	if err != nil {
		return nil, "", err
	}
	host := ""
	var owners []string
	var errs []error
	for _, k := range []string{"Managers", "Systems"} {
		if l := root.Link(k); l != "" {
			m, err := b.c.Members(ctx, l)
			errs = append(errs, err)
			owners = append(owners, m...)
		}
	}
	var out []string
	for _, o := range owners {
		d, err := b.c.GetDoc(ctx, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if h := d.Str("HostName"); h != "" && host == "" {
			host = h
		}
		l := d.Link("LogServices")
		if l == "" {
			continue
		}
		svcs, err := b.c.Members(ctx, l)
		errs = append(errs, err)
		for _, s := range svcs {
			sd, err := b.c.GetDoc(ctx, s)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if e := sd.Link("Entries"); e != "" {
				out = append(out, e)
			}
		}
	}
	return out, host, errors.Join(errs...)
}

func (f *fleet) loadCursor(ctx context.Context, key string) *cursor {
	c := &cursor{}
	if b, err := f.store.Get(ctx, key); err == nil && len(b) > 0 {
		_ = json.Unmarshal(b, c)
	}
	return c
}

// scrapeEventLog emits the new entries of every log service of b, oldest
// first, at most max_entries_per_scrape per service, and advances (and
// persists) the high-water mark.
func (f *fleet) scrapeEventLog(b *bmc) (plog.Logs, error) {
	out := plog.NewLogs()
	ctx, cancel := context.WithTimeout(f.runCtx, f.cfg.BMCTimeout)
	defer cancel()
	cs := b.cursors
	cs.mu.Lock()
	defer cs.mu.Unlock()
	var errs []error
	now := f.now()
	if cs.services == nil || (f.cfg.InventoryInterval > 0 && now.Sub(cs.at) >= f.cfg.InventoryInterval) {
		svcs, host, err := f.discoverLogServices(ctx, b)
		if err != nil {
			errs = append(errs, err)
		}
		if svcs != nil || err == nil {
			cs.services, cs.at = svcs, now
		}
		if host != "" {
			cs.hostName = host
		}
	}
	var lrs plog.LogRecordSlice
	for _, svc := range cs.services {
		key := "redfish/" + b.name + "/" + svc
		cur, ok := cs.cur[key]
		if !ok {
			cur = f.loadCursor(ctx, key)
			cs.cur[key] = cur
		}
		docs, err := b.c.MemberDocs(ctx, svc)
		if err != nil {
			errs = append(errs, err)
		}
		var fresh []entry
		for _, d := range docs {
			e := entry{id: d.Str("Id"), doc: d}
			e.num, _ = strconv.ParseInt(e.id, 10, 64)
			if t, err := time.Parse(time.RFC3339, d.Str("Created")); err == nil {
				e.created = t
			}
			if e.id == "" && e.created.IsZero() {
				continue
			}
			if cur.isNew(e) {
				fresh = append(fresh, e)
			}
		}
		slices.SortFunc(fresh, func(a, b entry) int {
			if c := a.created.Compare(b.created); c != 0 {
				return c
			}
			if c := cmp.Compare(a.num, b.num); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		if m := f.cfg.Logs.MaxEntriesPerScrape; m > 0 && len(fresh) > m {
			fresh = fresh[:m]
		}
		if len(fresh) == 0 {
			continue
		}
		if lrs == (plog.LogRecordSlice{}) {
			rl := out.ResourceLogs().AppendEmpty()
			host := b.reportedHost()
			if host == "" {
				host = cs.hostName
			}
			f.logResource(rl, b, host)
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName(metadata.ScopeName)
			lrs = sl.LogRecords()
		}
		for _, e := range fresh {
			entryRecord(lrs.AppendEmpty(), e, svc, now)
			cur.advance(e)
		}
		if blob, err := json.Marshal(cur); err == nil {
			if err := f.store.Set(ctx, key, blob); err != nil {
				errs = append(errs, fmt.Errorf("persist high-water mark: %w", err))
			}
		}
	}
	return out, errors.Join(errs...)
}

func (b *bmc) reportedHost() string {
	b.invMu.Lock()
	defer b.invMu.Unlock()
	if b.inv != nil {
		return b.inv.hostName
	}
	return ""
}

func severityOfEntry(s string) (plog.SeverityNumber, string) {
	switch s {
	case "Critical":
		return plog.SeverityNumberError, "Critical"
	case "Warning":
		return plog.SeverityNumberWarn, "Warning"
	case "OK":
		return plog.SeverityNumberInfo, "OK"
	}
	return plog.SeverityNumberUnspecified, s
}

func entryRecord(lr plog.LogRecord, e entry, svc string, now time.Time) {
	d := e.doc
	if !e.created.IsZero() {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(e.created))
	}
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(now))
	sn, st := severityOfEntry(d.Str("Severity"))
	lr.SetSeverityNumber(sn)
	lr.SetSeverityText(st)
	lr.SetEventName("redfish.log_entry")
	lr.Body().SetStr(d.Str("Message"))
	a := lr.Attributes()
	a.PutStr("redfish.log_service", hwID(svc))
	a.PutStr("redfish.log_entry.id", e.id)
	if v := d.Str("MessageId"); v != "" {
		a.PutStr("redfish.message_id", v)
	}
	if v := d.Str("EntryType"); v != "" {
		a.PutStr("redfish.entry_type", v)
	}
	if v := d.Obj("Links").Link("OriginOfCondition"); v != "" {
		a.PutStr("hw.id", hwID(v))
	}
}
