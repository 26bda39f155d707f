package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident/incidentlog"
)

const maxTitle = 200

// logClassifier turns log records into findings: aiops.finding records are
// decoded, incident records are ignored (they are this processor's output or
// another correlation's), and other records are matched against the rules in
// order, the first match winning.
type logClassifier struct {
	rules  []*rule
	source string
}

// classify appends the findings of lr to dst. matched reports whether the
// record was absorbed (a finding record or a rule match), invalid counts
// findings that could not be built (for example no timestamp at all).
func (c *logClassifier) classify(ctx context.Context, rl plog.ResourceLogs, sl plog.ScopeLogs, lr plog.LogRecord, dst []incident.Finding) (out []incident.Finding, matched bool, invalid int) {
	if incidentlog.IsIncident(lr) {
		return dst, false, 0
	}
	if incidentlog.IsFinding(lr) {
		f, err := incidentlog.UnmarshalFinding(lr)
		if err != nil {
			return dst, false, 1
		}
		return append(dst, f), true, 0
	}
	if len(c.rules) == 0 {
		return dst, false, 0
	}
	tCtx := ottllog.NewTransformContext(rl, sl, lr)
	defer tCtx.Close()
	for _, r := range c.rules {
		ok, err := r.cond.Eval(ctx, tCtx)
		if err != nil || !ok {
			continue
		}
		n := len(dst)
		if r.Unpack == unpackAlertmanager {
			dst, invalid = c.alertmanager(r, rl.Resource().Attributes(), lr, dst)
		} else {
			var ok bool
			dst, ok = c.fromRecord(r, rl.Resource().Attributes(), lr, dst)
			if !ok {
				invalid++
			}
		}
		return dst, len(dst) > n || invalid == 0, invalid
	}
	return dst, false, 0
}

// recordTime is the record's timestamp, else its observed timestamp.
func recordTime(lr plog.LogRecord) time.Time {
	ts := lr.Timestamp()
	if ts == 0 {
		ts = lr.ObservedTimestamp()
	}
	if ts == 0 {
		return time.Time{}
	}
	return ts.AsTime()
}

func (c *logClassifier) fromRecord(r *rule, res pcommon.Map, lr plog.LogRecord, dst []incident.Finding) ([]incident.Finding, bool) {
	at := recordTime(lr)
	if at.IsZero() {
		return dst, false
	}
	attrs := lr.Attributes()
	entity := entityOf(r.entity, res, attrs)
	sev := r.severity
	if sev == 0 {
		var ok bool
		if sev, ok = incident.SeverityFromOTel(int32(lr.SeverityNumber())); !ok {
			sev = incident.SeverityWarning
		}
	}
	extra := make([]string, 0, len(r.FingerprintAttributes))
	for _, k := range r.FingerprintAttributes {
		extra = append(extra, lookup(k, attrs, res))
	}
	fp := incident.NewFingerprint(r.kind, entity, r.Name, extra...)
	f := incident.Finding{
		ID:          incident.NewFindingID(fp, strconv.FormatInt(at.UnixNano(), 10)),
		Fingerprint: fp,
		Kind:        r.kind,
		Severity:    sev,
		Time:        at,
		Entity:      entity,
		Signal:      r.Name,
		Score:       1,
		Source:      c.source,
		Title:       renderTitle(r.title, lr, res),
	}
	if obs := lr.ObservedTimestamp(); obs != 0 && lr.Timestamp() != 0 {
		f.ObservedTime = obs.AsTime()
	}
	for _, k := range r.EvidenceAttributes {
		if v, ok := attrs.Get(k); ok {
			if f.Evidence == nil {
				f.Evidence = map[string]string{}
			}
			f.Evidence[k] = v.AsString()
		}
	}
	if f.Validate() != nil {
		return dst, false
	}
	return append(dst, f), true
}

// entityOf builds the entity from keys, each looked up in the resource
// first, then in local (record or data point attributes).
func entityOf(keys []string, res, local pcommon.Map) incident.Entity {
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		if v, ok := res.Get(k); ok {
			if s := v.AsString(); s != "" {
				m[k] = s
			}
		} else if v, ok := local.Get(k); ok {
			if s := v.AsString(); s != "" {
				m[k] = s
			}
		}
	}
	return incident.NewEntity(m)
}

func lookup(k string, local, res pcommon.Map) string {
	if v, ok := local.Get(k); ok {
		return v.AsString()
	}
	if v, ok := res.Get(k); ok {
		return v.AsString()
	}
	return ""
}

func renderTitle(parts []titlePart, lr plog.LogRecord, res pcommon.Map) string {
	if len(parts) == 0 {
		return firstLine(lr.Body().AsString())
	}
	var b strings.Builder
	for _, p := range parts {
		switch p.attr {
		case "":
			b.WriteString(p.lit)
		case "body":
			b.WriteString(lr.Body().AsString())
		default:
			b.WriteString(lookup(p.attr, lr.Attributes(), res))
		}
	}
	return firstLine(b.String())
}

// firstLine returns the first line of s, cut to maxTitle bytes on a rune
// boundary.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) <= maxTitle {
		return s
	}
	cut := maxTitle
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
