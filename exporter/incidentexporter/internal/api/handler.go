package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// Options are the handler's collaborators and limits. The zero value is
// usable.
type Options struct {
	// Logger receives internal errors (never shown to clients). Default nop.
	Logger *zap.Logger
	// Now is the clock for silence windows (a duration starts now, "active"
	// in answers). Default time.Now; pass the store's clock.
	Now func() time.Time
	// MaxPageSize bounds the list route's limit parameter; default and
	// maximum store.MaxPageSize.
	MaxPageSize int
	// MaxBodyBytes bounds request bodies (413 above); default 64 KiB. The
	// server's max_request_body_size applies too.
	MaxBodyBytes int64
	// AuthParams are query parameters the authenticator reads
	// (auth::request_params); every route accepts them.
	AuthParams []string
	// OnResponse, when set, is called once per request with the route
	// pattern ("GET /api/v1/incidents", or "unmatched") and the status sent,
	// for the exporter's self-metrics.
	OnResponse func(route string, status int)
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxPageSize <= 0 || o.MaxPageSize > store.MaxPageSize {
		o.MaxPageSize = store.MaxPageSize
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = defaultMaxBodyBytes
	}
	if o.OnResponse == nil {
		o.OnResponse = func(string, int) {}
	}
	return o
}

// reply is what an endpoint answers: a status, a JSON body and, for a
// created resource, its location.
type reply struct {
	status   int
	body     any
	location string
}

func ok(body any) reply { return reply{status: http.StatusOK, body: body} }

// route is one method on one path: the query parameters it takes (any other
// is a 400) and the endpoint serving it.
type route struct {
	method  string
	pattern string
	params  []string
	serve   func(h *handler, r *http.Request) (reply, error)
}

// routes is the whole API; openapi.yaml documents exactly these (a test
// checks both ways).
var routes = []route{
	{http.MethodGet, "/api/v1/incidents", listParams, (*handler).listIncidents},
	{http.MethodGet, "/api/v1/incidents/{id}", nil, (*handler).getIncident},
	{http.MethodGet, "/api/v1/incidents/{id}/similar", similarParams, (*handler).similarIncidents},
	{http.MethodPost, "/api/v1/incidents/{id}/acknowledge", nil, (*handler).acknowledge},
	{http.MethodPost, "/api/v1/incidents/{id}/resolve", nil, (*handler).resolve},
	{http.MethodPost, "/api/v1/incidents/{id}/reopen", nil, (*handler).reopen},
	{http.MethodPost, "/api/v1/incidents/{id}/notes", nil, (*handler).addNote},
	{http.MethodGet, "/api/v1/silences", silenceListParams, (*handler).listSilences},
	{http.MethodPost, "/api/v1/silences", nil, (*handler).createSilence},
	{http.MethodGet, "/api/v1/silences/{id}", nil, (*handler).getSilence},
	{http.MethodDelete, "/api/v1/silences/{id}", nil, (*handler).expireSilence},
}

type handler struct {
	st   store.Store
	opts Options
}

// NewHandler returns the API over st. It does no I/O until a request comes;
// authentication, TLS and CORS are the server's (NewServer), so the handler
// can be tested with httptest alone.
func NewHandler(st store.Store, opts Options) http.Handler {
	h := &handler{st: st, opts: opts.withDefaults()}
	mux := http.NewServeMux()
	byPattern := map[string][]route{}
	var patterns []string
	for _, rt := range routes {
		if _, seen := byPattern[rt.pattern]; !seen {
			patterns = append(patterns, rt.pattern)
		}
		byPattern[rt.pattern] = append(byPattern[rt.pattern], rt)
	}
	for _, p := range patterns {
		mux.Handle(p, h.dispatch(byPattern[p]))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.respond(w, r, "unmatched", reply{}, &apiError{status: http.StatusNotFound,
			msg: "no route " + r.URL.Path + "; the API is under /api/v1 (see openapi.yaml)"})
	})
	return mux
}

// dispatch serves one path pattern: it picks the route by method (405 with
// Allow otherwise), checks the query parameters and writes the reply.
func (h *handler) dispatch(rts []route) http.Handler {
	allow := make([]string, len(rts))
	names := make([]string, len(rts)) // for OnResponse, built once
	params := make([][]string, len(rts))
	for i, rt := range rts {
		allow[i], names[i] = rt.method, rt.method+" "+rt.pattern
		params[i] = slices.Concat(rt.params, h.opts.AuthParams)
	}
	slices.Sort(allow)
	allowed := strings.Join(allow, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := slices.IndexFunc(rts, func(rt route) bool { return rt.method == r.Method })
		if i < 0 {
			w.Header().Set("Allow", allowed)
			h.respond(w, r, "unmatched", reply{}, &apiError{status: http.StatusMethodNotAllowed,
				msg: "method " + r.Method + " is not allowed here; use " + allowed})
			return
		}
		if err := checkParams(r.URL.Query(), params[i]); err != nil {
			h.respond(w, r, names[i], reply{}, err)
			return
		}
		rep, err := rts[i].serve(h, r)
		h.respond(w, r, names[i], rep, err)
	})
}

var newline = []byte{'\n'}

// respond writes rep, or the error's status and body when err is set.
func (h *handler) respond(w http.ResponseWriter, r *http.Request, route string, rep reply, err error) {
	if err != nil {
		status, body := errorReply(r.Context(), h.opts.Logger, route, err)
		rep = reply{status: status, body: body}
	}
	b, err := json.Marshal(rep.body)
	if err != nil {
		status, body := errorReply(r.Context(), h.opts.Logger, route, fmt.Errorf("encode response: %w", err))
		rep = reply{status: status}
		b, _ = json.Marshal(body)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	if rep.location != "" {
		w.Header().Set("Location", rep.location)
	}
	w.WriteHeader(rep.status)
	// A write error means the client went away; there is no one to tell.
	// The newline is written apart: appending it would copy a large page.
	_, _ = w.Write(b)
	_, _ = w.Write(newline)
	h.opts.OnResponse(route, rep.status)
}
