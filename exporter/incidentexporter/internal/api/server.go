package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// Server serves the API on the configured confighttp server, so the auth
// extension, TLS, CORS, timeouts and body limits apply as for every
// collector server. A disabled API (no endpoint) starts and stops nothing.
type Server struct {
	cfg     Config
	handler http.Handler
	host    component.Host
	set     component.TelemetrySettings

	mu   sync.Mutex
	srv  *http.Server
	addr net.Addr
	done chan struct{} // closed when Serve returned
}

// NewServer prepares the API server; it does no I/O (Start listens).
func NewServer(cfg Config, st store.Store, opts Options, host component.Host, set component.TelemetrySettings) *Server {
	if opts.Logger == nil {
		opts.Logger = set.Logger
	}
	if opts.MaxPageSize == 0 {
		opts.MaxPageSize = cfg.MaxPageSize
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = cfg.MaxRequestBodySize
	}
	if a := cfg.Auth.Get(); a != nil {
		opts.AuthParams = a.RequestParameters
	}
	return &Server{cfg: cfg, handler: NewHandler(st, opts), host: host, set: set}
}

// Start listens on the endpoint and serves in the background. It returns an
// error when the endpoint cannot be bound or the authenticator is missing.
func (s *Server) Start(ctx context.Context) error {
	if !s.cfg.Enabled() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return errors.New("incident API: already started")
	}
	srv, err := s.cfg.ToServer(ctx, s.host.GetExtensions(), s.set, s.handler, confighttp.WithErrorHandler(writeServerError))
	if err != nil {
		return fmt.Errorf("incident API: %w", err)
	}
	ln, err := s.cfg.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("incident API: listen on %q: %w (check that the address is valid and not in use)", s.cfg.NetAddr.Endpoint, err)
	}
	s.srv, s.addr, s.done = srv, ln.Addr(), make(chan struct{})
	s.set.Logger.Info("incident API listening", zap.String("endpoint", s.addr.String()), zap.Bool("tls", s.cfg.TLS.HasValue()))
	if !s.cfg.TLS.HasValue() && !isLoopback(s.addr) {
		s.set.Logger.Warn("incident API serves plain HTTP beyond loopback: credentials cross the network in clear text; set api::tls")
	}
	go func(done chan struct{}) {
		defer close(done)
		err := srv.Serve(ln)
		if !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(s.host, componentstatus.NewFatalErrorEvent(fmt.Errorf("incident API: %w", err)))
		}
	}(s.done)
	return nil
}

// Addr is the address the server listens on (nil before Start), for tests
// and logs with endpoint port 0.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Shutdown stops accepting requests and waits for those in flight until ctx
// ends. It is idempotent and safe without Start.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, srv.Close())
	}
	<-done
	return err
}

// writeServerError answers the server's own failures (authentication, body
// decompression) with the API's JSON error body.
func writeServerError(w http.ResponseWriter, _ *http.Request, msg string, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Error: msg})
}

// isLoopback reports whether addr only accepts local connections (a loopback
// IP or a unix socket).
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return !ok || tcp.IP.IsLoopback()
}
