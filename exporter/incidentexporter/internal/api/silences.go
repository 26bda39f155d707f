package api

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

var silenceListParams = []string{"all"}

// maxSilence bounds a silence's length: a longer mute is a configuration
// change (a routing rule), not a silence.
const maxSilence = 366 * 24 * time.Hour

// Bounds of a silence's matchers.
const (
	maxMatchers     = 32
	maxMatcherBytes = 1024
)

// silenceBody is the body of the create-silence route. Times are strings so
// a bad one gets an error naming its field.
type silenceBody struct {
	Matchers []matcherJSON `json:"matchers"`
	StartsAt string        `json:"starts_at"`
	EndsAt   string        `json:"ends_at"`
	Duration string        `json:"duration"`
	Comment  string        `json:"comment"`
}

func (h *handler) listSilences(r *http.Request) (reply, error) {
	all, err := boolParam(r.URL.Query(), "all", false)
	if err != nil {
		return reply{}, err
	}
	sils, err := h.st.ListSilences(r.Context(), all)
	if err != nil {
		return reply{}, err
	}
	now := h.opts.Now()
	out := silenceListJSON{Silences: make([]silenceJSON, len(sils))}
	for i, s := range sils {
		out.Silences[i] = toSilenceJSON(s, now)
	}
	return ok(out), nil
}

func (h *handler) createSilence(r *http.Request) (reply, error) {
	var b silenceBody
	if err := decodeBody(r, &b, h.opts.MaxBodyBytes, true); err != nil {
		return reply{}, err
	}
	sil, err := b.silence(h.opts.Now())
	if err != nil {
		return reply{}, err
	}
	sil.CreatedBy = actor(r.Context())
	created, err := h.st.CreateSilence(r.Context(), sil)
	if errors.Is(err, store.ErrInvalid) {
		// The times were checked above: the store rejected a matcher.
		return reply{}, badRequest("matchers", "%v", err)
	}
	if err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusCreated, body: toSilenceJSON(created, h.opts.Now()),
		location: "/api/v1/silences/" + url.PathEscape(created.ID)}, nil
}

// silence checks the body and builds the store's silence. The store checks
// the matcher names and compiles the expressions (its errors are 400s too).
func (b silenceBody) silence(now time.Time) (store.Silence, error) {
	sil := store.Silence{StartsAt: now, Comment: b.Comment}
	if err := b.checkMatchers(); err != nil {
		return sil, err
	}
	for _, m := range b.Matchers {
		sil.Matchers = append(sil.Matchers, store.Matcher{Name: m.Name, Op: m.Op, Value: m.Value})
	}
	if len(b.Comment) > maxCommentBytes {
		return sil, badRequest("comment", "%d bytes long; use at most %d", len(b.Comment), maxCommentBytes)
	}
	var err error
	if b.StartsAt != "" {
		if sil.StartsAt, err = parseTime("starts_at", b.StartsAt); err != nil {
			return sil, err
		}
	}
	switch {
	case b.EndsAt != "" && b.Duration != "":
		return sil, badRequest("duration", "give ends_at or duration, not both")
	case b.EndsAt != "":
		if sil.EndsAt, err = parseTime("ends_at", b.EndsAt); err != nil {
			return sil, err
		}
		if !sil.EndsAt.After(sil.StartsAt) {
			return sil, badRequest("ends_at", "must be after starts_at (%s)", sil.StartsAt.UTC().Format(time.RFC3339))
		}
	case b.Duration != "":
		d, err := time.ParseDuration(b.Duration)
		if err != nil || d <= 0 {
			return sil, badRequest("duration", "%q is not a positive duration; use for example 30m, 2h or 72h", b.Duration)
		}
		sil.EndsAt = sil.StartsAt.Add(d)
	default:
		return sil, badRequest("ends_at", "missing; give ends_at (RFC 3339) or duration (for example 2h)")
	}
	if sil.EndsAt.Sub(sil.StartsAt) > maxSilence {
		return sil, badRequest("ends_at", "the silence would last longer than %s; use a routing rule for a permanent mute", maxSilence)
	}
	return sil, nil
}

// checkMatchers checks what the store does not: presence, operator and
// size, each error naming the matcher by index.
func (b silenceBody) checkMatchers() error {
	switch {
	case len(b.Matchers) == 0:
		return badRequest("matchers", "empty; a silence needs at least one matcher such as {\"name\":\"service\",\"op\":\"=\",\"value\":\"checkout\"}")
	case len(b.Matchers) > maxMatchers:
		return badRequest("matchers", "%d matchers; use at most %d", len(b.Matchers), maxMatchers)
	}
	for i, m := range b.Matchers {
		field := "matchers[" + strconv.Itoa(i) + "]"
		switch {
		case m.Name == "":
			return badRequest(field+".name", "empty; use service, host, severity, status, title, id, root_cause.entity, root_cause.kind or label.<name>")
		case m.Op != store.MatchEqual && m.Op != store.MatchRegex:
			return badRequest(field+".op", "unknown operator %q; use = or =~", m.Op)
		case len(m.Name)+len(m.Value) > maxMatcherBytes:
			return badRequest(field, "longer than %d bytes", maxMatcherBytes)
		}
	}
	return nil
}

func (h *handler) getSilence(r *http.Request) (reply, error) {
	sil, err := h.st.GetSilence(r.Context(), r.PathValue("id"))
	if err != nil {
		return reply{}, err
	}
	return ok(toSilenceJSON(sil, h.opts.Now())), nil
}

func (h *handler) expireSilence(r *http.Request) (reply, error) {
	id := r.PathValue("id")
	if err := h.st.ExpireSilence(r.Context(), id); err != nil {
		return reply{}, err
	}
	return ok(expiredJSON{ID: id, Expired: true}), nil
}
