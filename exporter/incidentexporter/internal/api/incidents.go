package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// Query parameters of the incident routes.
var (
	listParams    = []string{"status", "min_severity", "service", "host", "from", "to", "q", "limit", "cursor"}
	similarParams = []string{"limit", "min_score", "only_resolved"}
)

// maxTextBytes bounds the q parameter: the store only searches the first
// KiB of title and summary, so a longer text cannot match anything.
const maxTextBytes = 1024

// Bounds of the similar route's limit (the store looks at up to 100
// candidates per lookup).
const (
	defaultSimilarLimit = 10
	maxSimilarLimit     = 100
)

func (h *handler) listIncidents(r *http.Request) (reply, error) {
	f, err := h.listFilter(r)
	if err != nil {
		return reply{}, err
	}
	page, err := h.st.List(r.Context(), f)
	if errors.Is(err, store.ErrInvalid) {
		// Every other parameter was checked above: the cursor is the culprit.
		return reply{}, badRequest("cursor", "%v; pass the next value of a previous page as is", err)
	}
	if err != nil {
		return reply{}, err
	}
	return ok(pageJSON{Incidents: toIncidentsJSON(page.Incidents), Next: page.Next}), nil
}

// listFilter turns the list route's query into a store.Filter, with an error
// naming the first bad parameter.
func (h *handler) listFilter(r *http.Request) (store.Filter, error) {
	q := r.URL.Query()
	var f store.Filter
	var err error
	if f.Statuses, err = statusesParam(q["status"]); err != nil {
		return f, err
	}
	if s, err := single(q, "min_severity"); err != nil {
		return f, err
	} else if s != "" {
		if f.MinSeverity, err = incident.ParseSeverity(s); err != nil {
			return f, badRequest("min_severity", "unknown value %q; use info, warning, error or critical", s)
		}
	}
	if f.Service, err = single(q, "service"); err != nil {
		return f, err
	}
	if f.Host, err = single(q, "host"); err != nil {
		return f, err
	}
	if f.From, err = timeParam(q, "from"); err != nil {
		return f, err
	}
	if f.To, err = timeParam(q, "to"); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, badRequest("to", "must be after from (the range is [from, to))")
	}
	if f.Text, err = single(q, "q"); err != nil {
		return f, err
	}
	if len(f.Text) > maxTextBytes {
		return f, badRequest("q", "%d bytes long; use at most %d", len(f.Text), maxTextBytes)
	}
	if f.Limit, err = intParam(q, "limit", store.DefaultPageSize, 1, h.opts.MaxPageSize); err != nil {
		return f, err
	}
	f.Cursor, err = single(q, "cursor")
	return f, err
}

// statusesParam takes status repeated (?status=open&status=acknowledged) or
// as a comma list (?status=open,acknowledged).
func statusesParam(values []string) ([]incident.Status, error) {
	var out []incident.Status
	for _, v := range values {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			st, err := incident.ParseStatus(name)
			if err != nil {
				return nil, badRequest("status", "unknown value %q; use open, acknowledged or resolved", name)
			}
			if !slices.Contains(out, st) {
				out = append(out, st)
			}
		}
	}
	return out, nil
}

func (h *handler) getIncident(r *http.Request) (reply, error) {
	d, err := h.st.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return reply{}, err
	}
	return ok(toDetailJSON(d)), nil
}

// similarIncidents ranks stored incidents against the incident with all its
// members (the union the store keeps, not only the last record's).
func (h *handler) similarIncidents(r *http.Request) (reply, error) {
	q := r.URL.Query()
	var sq store.SimilarQuery
	var err error
	if sq.Limit, err = intParam(q, "limit", defaultSimilarLimit, 1, maxSimilarLimit); err != nil {
		return reply{}, err
	}
	if sq.MinScore, err = floatParam(q, "min_score", 0, 0, 1); err != nil {
		return reply{}, err
	}
	if sq.OnlyResolved, err = boolParam(q, "only_resolved", true); err != nil {
		return reply{}, err
	}
	d, err := h.st.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return reply{}, err
	}
	inc := d.Incident
	inc.Members = d.Members
	sims, err := h.st.Similar(r.Context(), inc, sq)
	if err != nil {
		return reply{}, err
	}
	return ok(toSimilarListJSON(sims)), nil
}
