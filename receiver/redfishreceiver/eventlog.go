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

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
)

// cursor is the high-water mark of one log service: the newest Created
// time emitted (Raw: as the BMC wrote it, for $filter) and the entry ids
// emitted at exactly that time; MaxNum is used for entries without a
// Created time.
type cursor struct {
	T      time.Time `json:"t"`
	Raw    string    `json:"raw,omitempty"`
	IDs    []string  `json:"ids,omitempty"`
	MaxNum int64     `json:"max_num"`
}

type entry struct {
	id      string
	num     int64
	created time.Time
	raw     string // Created as sent
	pos     int    // position in the collection as served; -1 when unknown
	doc     client.Doc
}

func newEntry(d client.Doc, pos int) entry {
	e := entry{id: d.Str("Id"), raw: d.Str("Created"), pos: pos, doc: d}
	e.num, _ = strconv.ParseInt(e.id, 10, 64)
	if t, err := time.Parse(time.RFC3339, e.raw); err == nil {
		e.created = t
	}
	return e
}

func compareEntries(a, b entry) int {
	if c := a.created.Compare(b.created); c != 0 {
		return c
	}
	if c := cmp.Compare(a.num, b.num); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

func (c *cursor) empty() bool { return c.T.IsZero() && c.MaxNum == 0 && len(c.IDs) == 0 }

func (c *cursor) isNew(e entry) bool {
	if e.created.IsZero() {
		return e.num > c.MaxNum
	}
	if e.created.After(c.T) {
		return true
	}
	return e.created.Equal(c.T) && !slices.Contains(c.IDs, e.id)
}

// behind reports whether e is older than the mark, so that in a
// newest-first log every entry after it is older too.
func (c *cursor) behind(e entry) bool {
	return !c.isNew(e) && (e.created.IsZero() || e.created.Before(c.T))
}

func (c *cursor) advance(e entry) {
	if e.num > c.MaxNum {
		c.MaxNum = e.num
	}
	if e.created.IsZero() {
		return
	}
	if e.created.After(c.T) {
		c.T, c.Raw, c.IDs = e.created, e.raw, []string{e.id}
	} else if e.created.Equal(c.T) {
		c.IDs = append(c.IDs, e.id)
	}
}

// Orders of a LogEntry collection as the BMC serves it.
const (
	orderUnknown = iota
	orderOldestFirst
	orderNewestFirst
)

// logReader is what the receiver learnt about reading one log service
// incrementally (kept in memory: after a restart the first read is whole
// again, and the persisted cursor keeps it exactly-once).
type logReader struct {
	filter bool // $filter=Created ge '…' honoured: advertised and not refuted
	skip   bool // $skip honoured (advertised)
	order  int
	// next is the position after the last entry that is not pending in an
	// oldest-first log; anchorID/anchorRaw identify the entry at next-1,
	// so a cleared or wrapped log is noticed instead of read from a
	// stale position.
	next                int
	anchorID, anchorRaw string
}

func detectOrder(es []entry) int {
	if len(es) < 2 {
		return orderUnknown
	}
	asc, desc := true, true
	for i := 1; i < len(es); i++ {
		switch compareEntries(es[i-1], es[i]) {
		case 1:
			asc = false
		case -1:
			desc = false
		}
	}
	switch {
	case asc:
		return orderOldestFirst
	case desc:
		return orderNewestFirst
	}
	return orderUnknown
}

// settle moves the oldest-first position past the entries that are no
// longer pending (emitted now or before); es are in served order.
func (lr *logReader) settle(es []entry, cur *cursor) {
	for _, e := range es {
		if e.pos < 0 || cur.isNew(e) {
			return
		}
		lr.next, lr.anchorID, lr.anchorRaw = e.pos+1, e.id, e.raw
	}
}

func (lr *logReader) isAnchor(d client.Doc) bool {
	return d.Str("Id") == lr.anchorID && d.Str("Created") == lr.anchorRaw
}

// unsupportedQuery reports whether err is a BMC refusing a query option.
func unsupportedQuery(err error) bool {
	switch client.Status(err) {
	case 400, 405, 501:
		return true
	}
	return false
}

// readEntries returns the entries of one log service that may be new,
// reading as little as the BMC allows. The cursor filters the result, so a
// strategy must never miss a new entry but may return old ones:
//   - $filter=Created ge '<mark>' where the service root advertises
//     FilterQuery (refuted, and not tried again, when the BMC answers
//     400/405/501 or returns older entries);
//   - newest-first logs: pages until one reaches the mark;
//   - oldest-first logs with $skip: from the last known position, after
//     checking that the entry there is still the one seen (a cleared or
//     wrapped log is read whole);
//   - otherwise the whole collection.
func (f *fleet) readEntries(ctx context.Context, b *bmc, svc string, lr *logReader, cur *cursor) ([]entry, error) {
	if !cur.empty() {
		if lr.filter && cur.Raw != "" {
			es, ignored, err := readFiltered(ctx, b.c, svc, cur)
			if ignored { // the result is the whole log: still correct
				f.dropQuery(b, &lr.filter, "$filter", errQueryIgnored)
			}
			if err == nil || !unsupportedQuery(err) {
				return es, err
			}
			f.dropQuery(b, &lr.filter, "$filter", err)
		}
		switch {
		case lr.order == orderNewestFirst:
			return readHead(ctx, b.c, svc, cur)
		case lr.order == orderOldestFirst && lr.skip && lr.next > 0:
			es, ok, err := readTail(ctx, b.c, svc, lr)
			if ok || (err != nil && !unsupportedQuery(err)) {
				return es, err
			}
			if err != nil { // refused
				f.dropQuery(b, &lr.skip, "$skip", err)
			}
			es, err = readAll(ctx, b.c, svc, lr)
			if lr.skip && lr.stillAt(es) { // ignored: the anchor did not move, $skip did
				f.dropQuery(b, &lr.skip, "$skip", errQueryIgnored)
			}
			return es, err
		}
	}
	return readAll(ctx, b.c, svc, lr)
}

// stillAt reports whether the anchor entry is where it was.
func (lr *logReader) stillAt(es []entry) bool {
	return lr.next > 0 && lr.next <= len(es) && es[lr.next-1].id == lr.anchorID && es[lr.next-1].raw == lr.anchorRaw
}

func readAll(ctx context.Context, c *client.Client, svc string, lr *logReader) ([]entry, error) {
	var es []entry
	err := c.Pages(ctx, svc, func(members []client.Doc) bool {
		for _, d := range members {
			es = append(es, newEntry(d, len(es)))
		}
		return true
	})
	if err == nil {
		lr.order = detectOrder(es)
	}
	return es, err
}

// readFiltered asks for the entries from the mark on; ignored is true when
// older entries came back (the BMC ignored the filter).
func readFiltered(ctx context.Context, c *client.Client, svc string, cur *cursor) (es []entry, ignored bool, err error) {
	q := client.WithQuery(svc, "$filter="+client.QueryEscape("Created ge '"+cur.Raw+"'"))
	err = c.Pages(ctx, q, func(members []client.Doc) bool {
		for _, d := range members {
			e := newEntry(d, -1)
			ignored = ignored || (!e.created.IsZero() && e.created.Before(cur.T))
			es = append(es, e)
		}
		return true
	})
	return es, ignored, err
}

var errQueryIgnored = errors.New("query option ignored: the whole collection came back")

// dropQuery stops using a query option the BMC refused or ignored, and
// counts it.
func (f *fleet) dropQuery(b *bmc, option *bool, query string, why error) {
	*option = false
	f.tb.RedfishLogQueryFallbacks.Add(context.Background(), 1, metric.WithAttributeSet(attribute.NewSet(
		attribute.String("bmc", b.name), attribute.String("query", query))))
	f.logger.Debug("BMC does not honour a query option on log entries, reading them without it",
		zap.String("bmc", b.name), zap.String("query", query), zap.Error(why))
}

func readHead(ctx context.Context, c *client.Client, svc string, cur *cursor) ([]entry, error) {
	var es []entry
	err := c.Pages(ctx, svc, func(members []client.Doc) bool {
		more := true
		for _, d := range members {
			e := newEntry(d, -1)
			more = more && !cur.behind(e)
			es = append(es, e)
		}
		return more
	})
	return es, err
}

// readTail reads an oldest-first log from the anchor on; ok is false when
// the anchor moved (the caller reads the whole log).
func readTail(ctx context.Context, c *client.Client, svc string, lr *logReader) ([]entry, bool, error) {
	var es []entry
	ok := true
	pos := lr.next - 1
	err := c.Pages(ctx, client.WithQuery(svc, "$skip="+strconv.Itoa(pos)), func(members []client.Doc) bool {
		if pos == lr.next-1 && (len(members) == 0 || !lr.isAnchor(members[0])) {
			ok = false
			return false
		}
		for _, d := range members {
			es = append(es, newEntry(d, pos))
			pos++
		}
		return true
	})
	if err != nil {
		return nil, false, err
	}
	return es, ok, nil
}

// logService is one LogService's Entries collection and what is known
// about reading it.
type logService struct {
	entries string
	reader  *logReader
}

type cursorSet struct {
	mu       sync.Mutex
	services []logService
	hostName string // ComputerSystem.HostName seen during discovery
	at       time.Time
	cur      map[string]*cursor
}

func newCursorSet() *cursorSet { return &cursorSet{cur: map[string]*cursor{}} }

func (f *fleet) discoverLogServices(ctx context.Context, b *bmc) ([]logService, string, error) {
	root, err := b.c.GetDoc(ctx, "/redfish/v1")
	if err != nil {
		return nil, "", err
	}
	features := root.Obj("ProtocolFeaturesSupported")
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
	var out []logService
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
				out = append(out, logService{entries: e, reader: &logReader{
					filter: features.Bool("FilterQuery"), skip: features.Bool("TopSkipQuery"),
				}})
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

// refreshLogServices lists the log services at the first scrape and every
// inventory_interval; a refresh keeps what was learnt about a known service.
func (f *fleet) refreshLogServices(ctx context.Context, b *bmc, now time.Time) error {
	cs := b.cursors
	if cs.services != nil && (f.cfg.InventoryInterval <= 0 || now.Sub(cs.at) < f.cfg.InventoryInterval) {
		return nil
	}
	svcs, host, err := f.discoverLogServices(ctx, b)
	if svcs != nil || err == nil {
		for i := range svcs {
			for _, old := range cs.services {
				if old.entries == svcs[i].entries {
					svcs[i].reader = old.reader
				}
			}
		}
		cs.services, cs.at = svcs, now
	}
	if host != "" {
		cs.hostName = host
	}
	return err
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
	now := f.now()
	var errs []error
	if err := f.refreshLogServices(ctx, b, now); err != nil {
		errs = append(errs, err)
	}
	var lrs plog.LogRecordSlice
	for _, svc := range cs.services {
		key := "redfish/" + b.name + "/" + svc.entries
		cur, ok := cs.cur[key]
		if !ok {
			cur = f.loadCursor(ctx, key)
			cs.cur[key] = cur
		}
		es, err := f.readEntries(ctx, b, svc.entries, svc.reader, cur)
		if err != nil {
			errs = append(errs, err)
		}
		fresh := f.freshEntries(es, cur)
		if len(fresh) > 0 {
			if lrs == (plog.LogRecordSlice{}) {
				lrs = f.entryRecords(out, b)
			}
			for _, e := range fresh {
				entryRecord(lrs.AppendEmpty(), e, svc.entries, now)
				cur.advance(e)
			}
			if blob, err := json.Marshal(cur); err == nil {
				if err := f.store.Set(ctx, key, blob); err != nil {
					errs = append(errs, fmt.Errorf("persist high-water mark: %w", err))
				}
			}
		}
		svc.reader.settle(es, cur)
	}
	err := errors.Join(errs...)
	b.logSlow.Store(timedOut(ctx, err))
	return out, err
}

// freshEntries returns the new entries, oldest first, at most
// max_entries_per_scrape (the rest follow in the next cycles).
func (f *fleet) freshEntries(es []entry, cur *cursor) []entry {
	var fresh []entry
	for _, e := range es {
		if (e.id != "" || !e.created.IsZero()) && cur.isNew(e) {
			fresh = append(fresh, e)
		}
	}
	slices.SortFunc(fresh, compareEntries)
	fresh = slices.CompactFunc(fresh, func(a, b entry) bool { return a.id == b.id && a.created.Equal(b.created) })
	if m := f.cfg.Logs.MaxEntriesPerScrape; m > 0 && len(fresh) > m {
		fresh = fresh[:m]
	}
	return fresh
}

// entryRecords starts b's resource for event-log records.
func (f *fleet) entryRecords(out plog.Logs, b *bmc) plog.LogRecordSlice {
	rl := out.ResourceLogs().AppendEmpty()
	host := b.reportedHost()
	if host == "" {
		host = b.cursors.hostName
	}
	f.logResource(rl, b, host)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	return sl.LogRecords()
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
