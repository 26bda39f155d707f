// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

// Package client wraps gofish for the redfish receiver: one Redfish session per
// BMC reused across scrapes, re-login on 401, the session deleted on Close,
// Basic-auth fallback when the BMC has no SessionService, per-request
// contexts, error classification, and tolerant decoding of readings.
package client // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/stmcginnis/gofish"
	"github.com/stmcginnis/gofish/schemas"
)

// Auth modes.
const (
	AuthAuto    = "auto"
	AuthSession = "session"
	AuthBasic   = "basic"
)

// maxBody bounds a response body (a Redfish document is a few KiB; a large
// collection page a few hundred KiB).
const maxBody = 8 << 20

// Config configures one BMC client.
type Config struct {
	Endpoint   string
	Username   string
	Password   string
	Auth       string // auto (default), session, basic
	HTTPClient *http.Client
	// MaxConcurrentRequests bounds the requests in flight to this BMC.
	MaxConcurrentRequests int
}

// Hooks observe session changes (for the open-sessions self-metric).
type Hooks struct {
	SessionOpened func()
	SessionClosed func()
}

// Client is safe for concurrent use.
type Client struct {
	cfg   Config
	hooks Hooks

	mu         sync.Mutex
	api        *gofish.APIClient
	gen        uint64 // incremented on every (re)connect
	sessionURI string // "" when Basic auth is used
	closed     bool
}

// New returns a client; it does no I/O.
func New(cfg Config, hooks Hooks) *Client {
	if cfg.Auth == "" {
		cfg.Auth = AuthAuto
	}
	if cfg.MaxConcurrentRequests <= 0 {
		cfg.MaxConcurrentRequests = 1
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if hooks.SessionOpened == nil {
		hooks.SessionOpened = func() {}
	}
	if hooks.SessionClosed == nil {
		hooks.SessionClosed = func() {}
	}
	return &Client{cfg: cfg, hooks: hooks}
}

// ErrClosed is returned after Close.
var ErrClosed = errors.New("client closed")

// current returns the connected API client (connecting if needed) bound to ctx.
func (c *Client) current(ctx context.Context) (*gofish.APIClient, uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, 0, ErrClosed
	}
	if c.api == nil {
		if err := c.connectLocked(ctx); err != nil {
			return nil, 0, err
		}
	}
	return c.api.WithContext(ctx), c.gen, nil
}

func (c *Client) gofishConfig(basic bool) gofish.ClientConfig {
	return gofish.ClientConfig{
		Endpoint:              strings.TrimSuffix(c.cfg.Endpoint, "/"),
		Username:              c.cfg.Username,
		Password:              c.cfg.Password,
		HTTPClient:            c.cfg.HTTPClient,
		NoModifyTransport:     true,
		ReuseConnections:      true,
		BasicAuth:             basic,
		MaxConcurrentRequests: int64(c.cfg.MaxConcurrentRequests),
	}
}

// connectLocked opens a session (or falls back to Basic auth) and verifies
// the credentials with a first authenticated GET (gofish's Connect does not
// catch a wrong password in Basic mode).
func (c *Client) connectLocked(ctx context.Context) error {
	if c.cfg.Auth != AuthBasic {
		api, err := gofish.ConnectContext(ctx, c.gofishConfig(false))
		switch {
		case err == nil:
			s, serr := api.GetSession()
			if serr != nil || s.ID == "" {
				// Token without Location: we could never delete it; use it, but say so.
				c.api, c.sessionURI = api, ""
			} else {
				c.api, c.sessionURI = api, s.ID
				c.hooks.SessionOpened()
			}
			c.gen++
			return nil
		case c.cfg.Auth == AuthAuto && noSessionService(err):
			// fall through to Basic auth
		default:
			return classify(err, "/redfish/v1/SessionService/Sessions", "create session")
		}
	}
	api, err := gofish.ConnectContext(ctx, c.gofishConfig(true))
	if err != nil {
		return classify(err, "/redfish/v1", "connect")
	}
	// Verify the credentials: the service root is readable without them.
	resp, err := api.Get("/redfish/v1/Systems")
	if err != nil {
		return classify(err, "/redfish/v1/Systems", "verify credentials")
	}
	schemas.DeferredCleanupHTTPResponse(resp)
	c.api, c.sessionURI = api, ""
	c.gen++
	return nil
}

// noSessionService reports whether a session-create error means the BMC
// has no usable SessionService (no Links.Sessions, 404 or 405).
func noSessionService(err error) bool {
	var re *schemas.Error
	if errors.As(err, &re) {
		if re.HTTPReturnedStatusCode == http.StatusNotFound || re.HTTPReturnedStatusCode == http.StatusMethodNotAllowed ||
			re.HTTPReturnedStatusCode == http.StatusNotImplemented {
			return true
		}
		return re.HTTPReturnedStatusCode == 0 && strings.Contains(re.Message, "no target provided")
	}
	return strings.Contains(err.Error(), "no target provided")
}

// relogin drops the session of generation gen (deleting it best effort, so
// a 401 caused by anything but an expired session does not leak it) and
// connects again. Concurrent callers that saw the same 401 share one re-login.
func (c *Client) relogin(ctx context.Context, gen uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	if c.gen != gen && c.api != nil {
		return nil // someone else already logged in again
	}
	if c.api != nil && c.sessionURI != "" {
		// Is the session really gone, or does only this resource answer 401
		// (a missing privilege on some BMCs)? Reading our own session needs a
		// valid token; if it works, logging in again would only churn sessions.
		resp, err := c.api.WithContext(ctx).Get(c.sessionURI)
		schemas.DeferredCleanupHTTPResponse(resp)
		if err == nil {
			return errSessionValid
		}
	}
	c.dropLocked(ctx)
	return c.connectLocked(ctx)
}

// errSessionValid: a 401 came back although the session is valid.
var errSessionValid = errors.New("session still valid")

// dropLocked deletes the current session (best effort) and forgets the client.
func (c *Client) dropLocked(ctx context.Context) {
	if c.api == nil {
		return
	}
	if c.sessionURI != "" {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		resp, err := c.api.WithContext(dctx).Delete(c.sessionURI)
		schemas.DeferredCleanupHTTPResponse(resp)
		cancel()
		_ = err // a 401/404 here means the BMC already dropped it
		c.hooks.SessionClosed()
		c.sessionURI = ""
	}
	c.cfg.HTTPClient.CloseIdleConnections()
	c.api = nil
}

// Close deletes the session; it is idempotent.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(ctx)
	c.closed = true
	c.cfg.HTTPClient.CloseIdleConnections()
	return nil
}

// do runs fn with the current API client, re-logging in once on a 401.
func (c *Client) do(ctx context.Context, uri string, fn func(api *gofish.APIClient) error) error {
	for attempt := 0; ; attempt++ {
		api, gen, err := c.current(ctx)
		if err != nil {
			return err
		}
		err = fn(api)
		if err == nil {
			return nil
		}
		if attempt == 0 && Status(err) == http.StatusUnauthorized {
			rerr := c.relogin(ctx, gen)
			if errors.Is(rerr, errSessionValid) {
				return classify(err, uri, "GET")
			}
			if rerr != nil {
				return rerr
			}
			continue
		}
		return classify(err, uri, "GET")
	}
}

// Get returns the body of uri.
func (c *Client) Get(ctx context.Context, uri string) ([]byte, error) {
	var body []byte
	err := c.do(ctx, uri, func(api *gofish.APIClient) error {
		resp, err := api.Get(uri)
		if err != nil {
			return err
		}
		defer schemas.DeferredCleanupHTTPResponse(resp)
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
		return err
	})
	return body, err
}

// GetDoc fetches uri and decodes it tolerantly.
func (c *Client) GetDoc(ctx context.Context, uri string) (Doc, error) {
	b, err := c.Get(ctx, uri)
	if err != nil {
		return nil, err
	}
	d, err := Parse(b)
	if err != nil {
		return nil, &Error{Kind: KindDecode, URI: uri, Err: err}
	}
	return d, nil
}

// Members lists a collection, following Members@odata.nextLink pages.
func (c *Client) Members(ctx context.Context, uri string) ([]string, error) {
	var out []string
	next := uri
	for page := 0; next != "" && page < 1000; page++ {
		d, err := c.GetDoc(ctx, next)
		if err != nil {
			return out, err
		}
		for _, m := range d.Arr("Members") {
			if id := m.Str("@odata.id"); id != "" {
				out = append(out, id)
			}
		}
		nl := d.Str("Members@odata.nextLink")
		if nl == next {
			break
		}
		next = nl
	}
	return out, nil
}

// Pages reads a collection page by page and passes each page's member
// documents to visit, following Members@odata.nextLink while visit returns
// true, so a caller that finds what it needs in the
// first pages does not read the rest. Members the BMC sends expanded (as
// most do for LogEntry collections) are used as they are; bare references
// are fetched. A failed page ends the walk with its error; a failed member
// is left out, reported, and the walk goes on.
func (c *Client) Pages(ctx context.Context, uri string, visit func(members []Doc) bool) error {
	var errs []error
	next := uri
	for page := 0; next != "" && page < 1000; page++ {
		d, err := c.GetDoc(ctx, next)
		if err != nil {
			errs = append(errs, err)
			break
		}
		var members []Doc
		for _, m := range d.Arr("Members") {
			if len(m) <= 1 {
				id := m.Str("@odata.id")
				if id == "" {
					continue
				}
				md, err := c.GetDoc(ctx, id)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				m = md
			}
			members = append(members, m)
		}
		if !visit(members) {
			break
		}
		nl := d.Str("Members@odata.nextLink")
		if nl == next {
			break
		}
		next = nl
	}
	return errors.Join(errs...)
}

// QueryEscape escapes a query option value with %20 for spaces (some BMCs
// do not decode "+").
func QueryEscape(v string) string { return strings.ReplaceAll(url.QueryEscape(v), "+", "%20") }

// WithQuery appends a query option to uri.
func WithQuery(uri, q string) string {
	if strings.Contains(uri, "?") {
		return uri + "&" + q
	}
	return uri + "?" + q
}

// ExpandQuery is the $expand form asked for by ExpandedMembers (one level,
// members only: the form most BMCs that support $expand implement).
const ExpandQuery = "$expand=.($levels=1)"

// ExpandedMembers fetches a collection with $expand so that one request
// returns every member. ok is false when the BMC did not expand (a member is
// a bare reference, or the request failed): the caller then fetches members
// one by one, so a BMC with a broken $expand costs one request, not data.
func (c *Client) ExpandedMembers(ctx context.Context, uri string) (docs []Doc, ok bool) {
	next := WithQuery(uri, ExpandQuery)
	for page := 0; next != "" && page < 1000; page++ {
		d, err := c.GetDoc(ctx, next)
		if err != nil {
			return nil, false
		}
		for _, m := range d.Arr("Members") {
			if len(m) <= 1 || m.Str("@odata.id") == "" {
				return nil, false
			}
			docs = append(docs, m)
		}
		nl := d.Str("Members@odata.nextLink")
		if nl == next {
			break
		}
		next = nl
	}
	return docs, true
}

// Fan is the decoded part of a Fan resource.
type Fan struct {
	ID, Name, Health, State string
	RPM, Percent            *float64
	Model, Serial           string
	Tolerant                bool // decoded by the tolerant fallback
}

// GetFan fetches one Fan member with gofish's schemas.GetFan (the v0.23
// ThermalSubsystem.Fans() decodes into the old type and returns nothing, so
// each member is fetched on its own); if gofish cannot decode it (one
// mistyped field fails the whole object) the tolerant decoder takes over.
func (c *Client) GetFan(ctx context.Context, uri string) (*Fan, error) {
	var f *schemas.Fan
	err := c.do(ctx, uri, func(api *gofish.APIClient) error {
		var err error
		f, err = schemas.GetFan(api, uri)
		return err
	})
	if err == nil {
		return &Fan{ID: f.ODataID, Name: f.Name, Health: string(f.Status.Health), State: string(f.Status.State),
			RPM: f.SpeedPercent.SpeedRPM, Percent: f.SpeedPercent.Reading, Model: f.Model, Serial: f.SerialNumber}, nil
	}
	if Kind(err) != KindDecode {
		return nil, err
	}
	d, derr := c.GetDoc(ctx, uri)
	if derr != nil {
		return nil, derr
	}
	return FanFromDoc(uri, d), nil
}

// FanFromDoc decodes a Fan tolerantly.
func FanFromDoc(uri string, d Doc) *Fan {
	sp := d.Obj("SpeedPercent")
	return &Fan{ID: uri, Name: d.Str("Name"), Health: d.Obj("Status").Str("Health"), State: d.Obj("Status").Str("State"),
		RPM: sp.Num("SpeedRPM"), Percent: sp.Num("Reading"), Model: d.Str("Model"), Serial: d.Str("SerialNumber"), Tolerant: true}
}

// PSU is the decoded part of a PowerSupply resource and its metrics.
type PSU struct {
	ID, Name, Health, State            string
	CapacityW, InputW, OutputW, Energy *float64 // Energy in kWh
	Model, Serial, Firmware            string
	Tolerant                           bool
}

// GetPSU fetches one PowerSupply with schemas.GetPowerSupplyUnit and its
// PowerSupplyMetrics with .Metrics(), with the tolerant fallback.
func (c *Client) GetPSU(ctx context.Context, uri string) (*PSU, error) {
	var p *schemas.PowerSupplyUnit
	var m *schemas.PowerSupplyMetrics
	err := c.do(ctx, uri, func(api *gofish.APIClient) error {
		var err error
		p, err = schemas.GetPowerSupplyUnit(api, uri)
		if err != nil {
			return err
		}
		m, err = p.Metrics()
		return err
	})
	if err == nil {
		out := &PSU{ID: p.ODataID, Name: p.Name, Health: string(p.Status.Health), State: string(p.Status.State),
			CapacityW: p.PowerCapacityWatts, Model: p.Model, Serial: p.SerialNumber, Firmware: p.FirmwareVersion}
		if m != nil {
			out.InputW, out.OutputW, out.Energy = m.InputPowerWatts.Reading, m.OutputPowerWatts.Reading, m.EnergykWh.Reading
		}
		return out, nil
	}
	if Kind(err) != KindDecode {
		return nil, err
	}
	d, derr := c.GetDoc(ctx, uri)
	if derr != nil {
		return nil, derr
	}
	out := PSUFromDoc(uri, d)
	if ml := d.Link("Metrics"); ml != "" {
		if md, merr := c.GetDoc(ctx, ml); merr == nil {
			PSUMetricsFromDoc(out, md)
		}
	}
	return out, nil
}

// PSUFromDoc decodes a PowerSupply tolerantly.
func PSUFromDoc(uri string, d Doc) *PSU {
	return &PSU{ID: uri, Name: d.Str("Name"), Health: d.Obj("Status").Str("Health"), State: d.Obj("Status").Str("State"),
		CapacityW: d.Num("PowerCapacityWatts"), Model: d.Str("Model"), Serial: d.Str("SerialNumber"),
		Firmware: d.Str("FirmwareVersion"), Tolerant: true}
}

// PSUMetricsFromDoc adds PowerSupplyMetrics readings decoded tolerantly.
func PSUMetricsFromDoc(p *PSU, d Doc) {
	p.InputW = d.Obj("InputPowerWatts").Num("Reading")
	p.OutputW = d.Obj("OutputPowerWatts").Num("Reading")
	p.Energy = d.Obj("EnergykWh").Num("Reading")
}
