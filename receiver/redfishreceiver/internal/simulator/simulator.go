// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

// Package simulator is a Redfish service for tests and demos. It serves a
// tree of JSON documents (built from the DMTF schema shapes in tree.go, or
// loaded from a DMTF mockup directory), implements the SessionService
// (create / delete, a session counter, a configurable maximum answered with
// 503) and Basic authentication, and injects faults: latency, hangs, HTTP
// status codes, malformed JSON and Members@odata.nextLink paging.
//
// It is not production code and is only imported by tests and tools.
package simulator // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const sessionsPath = "/redfish/v1/SessionService/Sessions"

// Fault describes what the simulator does instead of (or before) answering a
// request. A zero Fault does nothing.
type Fault struct {
	// Latency is added before answering.
	Latency time.Duration
	// Hang blocks until the client goes away (or the server closes).
	Hang bool
	// Status answers with this HTTP status and a Redfish error body.
	Status int
	// Malformed answers 200 with a truncated JSON document.
	Malformed bool
	// Times limits how often the fault fires; 0 means forever.
	Times int
}

// Server is an http.Handler emulating one BMC.
type Server struct {
	Username string
	Password string
	// MaxSessions is the number of sessions the BMC allows at once (8 on
	// some real models); 0 means unlimited.
	MaxSessions int
	// NoSessionService removes the SessionService (Basic auth only).
	NoSessionService bool
	// PageSize > 0 splits collections into pages linked by
	// Members@odata.nextLink.
	PageSize int
	// Latency is added to every response.
	Latency time.Duration
	// Expand honours $expand=.($levels=1) on collections.
	Expand bool
	// FilterQuery honours $filter (Created, Id; gt/ge/lt/le/eq) on
	// collections and advertises it in ProtocolFeaturesSupported.
	FilterQuery bool
	// TopSkipQuery honours $top/$skip on collections and advertises it.
	// $skip is always honoured when PageSize is set (it is how the
	// simulator's own nextLinks page).
	TopSkipQuery bool
	// IgnoreQuery makes unsupported query options ignored (the whole
	// collection is served, as some BMCs do); otherwise they are answered
	// 501 QueryNotSupported, as the Redfish specification asks.
	IgnoreQuery bool
	// NewestFirst serves LogEntry collections newest first (as iDRAC does).
	NewestFirst bool

	mu       sync.Mutex
	docs     map[string]map[string]any
	faults   map[string]*Fault // by exact path; "*" for every path
	sessions map[string]string // token -> session id
	nextID   int

	created  atomic.Int64
	deleted  atomic.Int64
	requests atomic.Int64
	served   atomic.Int64
	closed   chan struct{}
	once     sync.Once
}

// New returns a simulator serving docs (path -> document). Use NewTree or
// LoadMockup to build docs.
func New(docs map[string]map[string]any) *Server {
	return &Server{
		Username: "admin",
		Password: "secret",
		docs:     docs,
		faults:   map[string]*Fault{},
		sessions: map[string]string{},
		closed:   make(chan struct{}),
	}
}

// Close releases hanging requests.
func (s *Server) Close() { s.once.Do(func() { close(s.closed) }) }

// SetFault installs a fault for an exact path ("*" for all paths); a nil
// fault removes it.
func (s *Server) SetFault(path string, f *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == nil {
		delete(s.faults, path)
		return
	}
	s.faults[path] = f
}

// Doc returns the document at path (a live reference: hold no lock, tests only).
func (s *Server) Doc(path string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docs[path]
}

// Set sets a top-level field of the document at path (use to inject wrong
// field types or change readings between scrapes).
func (s *Server) Set(path, field string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.docs[path]; ok {
		d[field] = value
	}
}

// SetDoc replaces (or with nil removes) the document at path.
func (s *Server) SetDoc(path string, doc map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if doc == nil {
		delete(s.docs, path)
		return
	}
	s.docs[path] = doc
}

// OpenSessions is the number of sessions currently open.
func (s *Server) OpenSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// SessionsCreated and SessionsDeleted count session operations since start.
func (s *Server) SessionsCreated() int64 { return s.created.Load() }

// SessionsDeleted counts DELETEs of existing sessions.
func (s *Server) SessionsDeleted() int64 { return s.deleted.Load() }

// Requests counts all requests served.
func (s *Server) Requests() int64 { return s.requests.Load() }

// MembersServed counts the collection members sent in all responses (what
// incremental reads save).
func (s *Server) MembersServed() int64 { return s.served.Load() }

// ExpireSessions drops every session, as a BMC does on session timeout or
// reset: the next request with an old token gets 401.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions = map[string]string{}
}

func (s *Server) takeFault(path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range []string{path, "*"} {
		f, ok := s.faults[k]
		if !ok {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				delete(s.faults, k)
			}
		}
		c := *f
		return &c
	}
	return nil
}

func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closed:
		return false
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	path := strings.TrimSuffix(r.URL.Path, "/")
	if path == "/redfish" {
		writeJSON(w, http.StatusOK, map[string]any{"v1": "/redfish/v1/"})
		return
	}
	if !s.sleep(r, s.Latency) {
		return
	}
	if f := s.takeFault(path); f != nil {
		if !s.sleep(r, f.Latency) {
			return
		}
		if f.Hang {
			select {
			case <-r.Context().Done():
			case <-s.closed:
			}
			return
		}
		if f.Status != 0 {
			writeError(w, f.Status, "injected fault")
			return
		}
		if f.Malformed {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"@odata.id": "` + path + `", "Name": "trunc`))
			return
		}
	}
	if path == "/redfish/v1" || path == "/redfish/v1/odata" || path == "/redfish/v1/$metadata" {
		s.serveDoc(w, r, path)
		return
	}
	if !s.NoSessionService && r.Method == http.MethodPost && path == sessionsPath {
		s.createSession(w, r)
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="redfish"`)
		writeError(w, http.StatusUnauthorized, "authentication required")
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.serveDoc(w, r, path)
	case http.MethodDelete:
		if !s.NoSessionService && strings.HasPrefix(path, sessionsPath+"/") {
			s.deleteSession(w, strings.TrimPrefix(path, sessionsPath+"/"))
			return
		}
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
	default:
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
	}
}

func (s *Server) authorized(r *http.Request) bool {
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, ok := s.sessions[tok]
		return ok
	}
	u, p, ok := r.BasicAuth()
	return ok && u == s.Username && p == s.Password
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UserName string
		Password string
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "malformed session request")
		return
	}
	if body.UserName != s.Username || body.Password != s.Password {
		writeError(w, http.StatusUnauthorized, "invalid credentials")
		return
	}
	s.mu.Lock()
	if s.MaxSessions > 0 && len(s.sessions) >= s.MaxSessions {
		s.mu.Unlock()
		writeError(w, http.StatusServiceUnavailable, "session limit reached")
		return
	}
	s.nextID++
	id := strconv.Itoa(s.nextID)
	tok := randomToken()
	s.sessions[tok] = id
	s.mu.Unlock()
	s.created.Add(1)
	loc := sessionsPath + "/" + id
	w.Header().Set("X-Auth-Token", tok)
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusCreated, map[string]any{
		"@odata.id": loc, "@odata.type": "#Session.v1_7_0.Session", "Id": id, "Name": "Session " + id, "UserName": body.UserName,
	})
}

func (s *Server) deleteSession(w http.ResponseWriter, id string) {
	s.mu.Lock()
	found := false
	for tok, sid := range s.sessions {
		if sid == id {
			delete(s.sessions, tok)
			found = true
		}
	}
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "no such session")
		return
	}
	s.deleted.Add(1)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) serveDoc(w http.ResponseWriter, r *http.Request, path string) {
	if path == sessionsPath && !s.NoSessionService {
		s.mu.Lock()
		members := make([]any, 0, len(s.sessions))
		for _, id := range s.sessions {
			members = append(members, map[string]any{"@odata.id": sessionsPath + "/" + id})
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"@odata.id": sessionsPath, "Members": members, "Members@odata.count": len(members)})
		return
	}
	if !s.NoSessionService && strings.HasPrefix(path, sessionsPath+"/") {
		id := strings.TrimPrefix(path, sessionsPath+"/")
		s.mu.Lock()
		found := false
		for _, sid := range s.sessions {
			found = found || sid == id
		}
		s.mu.Unlock()
		if !found {
			writeError(w, http.StatusNotFound, "no such session")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"@odata.id": path, "@odata.type": "#Session.v1_7_0.Session",
			"Id": id, "Name": "Session " + id, "UserName": s.Username})
		return
	}
	s.mu.Lock()
	doc, ok := s.docs[path]
	var body []byte
	var err error
	if ok {
		if s.Expand && strings.HasPrefix(r.URL.Query().Get("$expand"), ".") {
			doc = s.expand(doc)
		}
		if path == "/redfish/v1" {
			doc = s.root(doc)
		}
		var status int
		if doc, status = s.query(doc, r, path); status != 0 {
			s.mu.Unlock()
			writeError(w, status, "query not supported")
			return
		}
		body, err = json.Marshal(doc)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "resource not found: "+path)
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// root adds what the service root advertises. Called with s.mu held.
func (s *Server) root(doc map[string]any) map[string]any {
	out := without(doc)
	if s.NoSessionService {
		out = without(doc, "SessionService", "Links")
	}
	if _, set := doc["ProtocolFeaturesSupported"]; set { // a test's claim, true or not
		return out
	}
	out["ProtocolFeaturesSupported"] = map[string]any{"FilterQuery": s.FilterQuery, "TopSkipQuery": s.TopSkipQuery,
		"ExpandQuery": map[string]any{"Levels": s.Expand, "MaxLevels": 1, "NoLinks": s.Expand, "ExpandAll": false, "Links": false}}
	return out
}

// query applies $filter, $skip, $top and paging to a collection, newest
// first for log entries when NewestFirst; status is non-zero when the
// request must be refused. Called with s.mu held.
func (s *Server) query(doc map[string]any, r *http.Request, path string) (map[string]any, int) {
	members, ok := doc["Members"].([]any)
	if !ok {
		return doc, 0
	}
	q := r.URL.Query()
	if s.NewestFirst && strings.HasSuffix(path, "/Entries") {
		members = slices.Clone(members)
		slices.Reverse(members)
	}
	filter := q.Get("$filter")
	if filter != "" {
		switch {
		case s.FilterQuery:
			var err error
			if members, err = filterMembers(members, filter); err != nil {
				return nil, http.StatusBadRequest
			}
		case !s.IgnoreQuery:
			return nil, http.StatusNotImplemented
		default:
			filter = ""
		}
	}
	skipOK := s.TopSkipQuery || s.PageSize > 0
	skip, top := 0, len(members)
	if v := q.Get("$skip"); v != "" {
		if !skipOK && !s.IgnoreQuery {
			return nil, http.StatusNotImplemented
		}
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && skipOK {
			skip = min(n, len(members))
		}
	}
	if v := q.Get("$top"); v != "" && s.TopSkipQuery {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			top = n
		}
	}
	end := min(skip+top, len(members))
	if s.PageSize > 0 {
		end = min(end, skip+s.PageSize)
	}
	out := without(doc)
	out["Members"] = members[skip:end]
	out["Members@odata.count"] = len(members)
	if end < len(members) && end < skip+top {
		next := r.URL.Path + "?$skip=" + strconv.Itoa(end)
		if filter != "" {
			next += "&$filter=" + strings.ReplaceAll(url.QueryEscape(filter), "+", "%20")
		}
		out["Members@odata.nextLink"] = next
	}
	s.served.Add(int64(end - skip))
	return out, 0
}

// filterMembers applies a "<Created|Id> <op> <value>" $filter.
func filterMembers(members []any, filter string) ([]any, error) {
	f := strings.Fields(filter)
	if len(f) != 3 || (f[0] != "Created" && f[0] != "Id") {
		return nil, fmt.Errorf("unsupported filter %q", filter)
	}
	val := strings.Trim(f[2], "'")
	cmpTo := func(m map[string]any) (int, bool) {
		v, _ := m[f[0]].(string)
		if f[0] == "Id" {
			a, err1 := strconv.ParseInt(v, 10, 64)
			b, err2 := strconv.ParseInt(val, 10, 64)
			return cmp.Compare(a, b), err1 == nil && err2 == nil
		}
		a, err1 := time.Parse(time.RFC3339, v)
		b, err2 := time.Parse(time.RFC3339, val)
		return a.Compare(b), err1 == nil && err2 == nil
	}
	ops := map[string]func(int) bool{
		"gt": func(c int) bool { return c > 0 }, "ge": func(c int) bool { return c >= 0 },
		"lt": func(c int) bool { return c < 0 }, "le": func(c int) bool { return c <= 0 }, "eq": func(c int) bool { return c == 0 },
	}
	op, ok := ops[f[1]]
	if !ok {
		return nil, fmt.Errorf("unsupported operator %q", f[1])
	}
	var out []any
	for _, m := range members {
		d, _ := m.(map[string]any)
		if c, ok := cmpTo(d); ok && op(c) {
			out = append(out, m)
		}
	}
	return out, nil
}

// expand replaces member references by the members. Called with s.mu held.
func (s *Server) expand(doc map[string]any) map[string]any {
	members, ok := doc["Members"].([]any)
	if !ok {
		return doc
	}
	out := without(doc)
	exp := make([]any, 0, len(members))
	for _, m := range members {
		ref, _ := m.(map[string]any)
		id, _ := ref["@odata.id"].(string)
		if d, ok := s.docs[id]; ok {
			exp = append(exp, d)
		} else {
			exp = append(exp, m)
		}
	}
	out["Members"] = exp
	return out
}

func without(doc map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": "Base.1.8.GeneralError", "message": msg,
	}})
}
