package incidentlog

import (
	"strconv"
	"strings"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// The body is a one-line summary for people reading a log view. Consumers
// must not parse it: every fact in it is also an attribute.

// incidentBody reads like
//
//	opened inc-7cba75a96db12069 #1 [critical open] Fan failure on node-1 (4 findings; root cause hardware at host.name=node-1,hw.id=fan-3)
func incidentBody(u incident.Update) string {
	inc := u.Incident
	var b strings.Builder
	b.WriteString(strings.TrimPrefix(string(u.Event), "aiops.incident."))
	b.WriteByte(' ')
	writeLine(&b, inc.ID)
	b.WriteString(" #")
	b.WriteString(strconv.FormatInt(inc.Sequence, 10))
	b.WriteString(" [")
	b.WriteString(inc.Severity.String())
	b.WriteByte(' ')
	b.WriteString(inc.Status.String())
	b.WriteString("] ")
	writeLine(&b, inc.Title)
	b.WriteString(" (")
	b.WriteString(strconv.FormatInt(inc.TotalFindings, 10))
	if inc.TotalFindings == 1 {
		b.WriteString(" finding")
	} else {
		b.WriteString(" findings")
	}
	if len(inc.RootCauses) > 0 {
		b.WriteString("; root cause ")
		writeLine(&b, string(inc.RootCauses[0].Kind))
		b.WriteString(" at ")
		writeLine(&b, inc.RootCauses[0].Entity.Key())
	}
	b.WriteByte(')')
	return b.String()
}

// findingBody reads like
//
//	warning anomaly at service.name=checkout: Checkout latency regressed; http.server.request.duration=0.91 (expected 0.2)
func findingBody(f incident.Finding) string {
	var b strings.Builder
	b.WriteString(f.Severity.String())
	b.WriteByte(' ')
	writeLine(&b, string(f.Kind))
	b.WriteString(" at ")
	writeLine(&b, f.Entity.Key())
	sep := ": "
	if f.Title != "" {
		b.WriteString(sep)
		writeLine(&b, f.Title)
		sep = "; "
	}
	if f.Signal != "" || f.Value != nil {
		b.WriteString(sep)
		if f.Signal != "" {
			writeLine(&b, f.Signal)
		} else {
			b.WriteString("value")
		}
		if f.Value != nil {
			b.WriteByte('=')
			b.WriteString(strconv.FormatFloat(*f.Value, 'g', -1, 64))
		}
	}
	if f.Expected != nil {
		b.WriteString(" (expected ")
		b.WriteString(strconv.FormatFloat(*f.Expected, 'g', -1, 64))
		b.WriteByte(')')
	}
	return b.String()
}

// writeLine writes s with line breaks turned into spaces, so that a title
// copied from a multi-line log message cannot break the one-line body.
func writeLine(b *strings.Builder, s string) {
	for {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		b.WriteByte(' ')
		s = s[i+1:]
	}
}
