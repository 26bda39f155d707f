// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

// Command redfishsim serves simulated Redfish BMCs for demos and integration
// tests of the redfish receiver (not for production):
//
//	go run ./receiver/redfishreceiver/internal/simulator/cmd/redfishsim -listen 127.0.0.1:8443 -tls -n 3
//
// With -n 1 the BMC is at the root; with -n N BMC i is at /bmc/i (use
// endpoint https://127.0.0.1:8443/bmc/0 ...). -mockup serves a DMTF mockup
// directory instead of the built-in server tree.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8000", "listen address")
	n := flag.Int("n", 1, "number of simulated BMCs")
	latency := flag.Duration("latency", 0, "added to every response")
	maxSessions := flag.Int("max-sessions", 8, "sessions each BMC allows (503 beyond); 0 = unlimited")
	useTLS := flag.Bool("tls", false, "serve HTTPS with a self-signed certificate")
	mockup := flag.String("mockup", "", "serve this DMTF mockup directory instead of the built-in tree")
	user := flag.String("username", "admin", "account name")
	pass := flag.String("password", "secret", "account password")
	expand := flag.Bool("expand", true, "honour $expand=.($levels=1) on collections")
	filter := flag.Bool("filter", true, "honour $filter on collections (else answer 501)")
	topSkip := flag.Bool("top-skip", true, "honour $top/$skip on collections (else answer 501)")
	newestFirst := flag.Bool("newest-first", false, "serve log entries newest first")
	flag.Parse()

	sims := make([]*simulator.Server, *n)
	for i := range sims {
		var docs map[string]map[string]any
		if *mockup != "" {
			var err error
			if docs, err = simulator.LoadMockup(*mockup); err != nil {
				log.Fatal(err)
			}
		} else {
			spec := simulator.DefaultSpec()
			spec.HostName = fmt.Sprintf("node-%02d", i)
			docs = simulator.NewTree(spec)
		}
		s := simulator.New(docs)
		s.Username, s.Password, s.MaxSessions, s.Latency, s.Expand = *user, *pass, *maxSessions, *latency, *expand
		s.FilterQuery, s.TopSkipQuery, s.NewestFirst = *filter, *topSkip, *newestFirst
		sims[i] = s
	}
	var h http.Handler = sims[0]
	if *n > 1 {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			idx, tail, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bmc/"), "/")
			i, err := strconv.Atoi(idx)
			if err != nil || i < 0 || i >= len(sims) {
				http.NotFound(w, r)
				return
			}
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/" + tail
			sims[i].ServeHTTP(w, r2)
		})
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	_ = srv.Listener.Close()
	srv.Listener = ln
	if *useTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	log.Printf("serving %d simulated BMC(s) at %s (user %q)", *n, srv.URL, *user)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			for _, s := range sims {
				s.Close()
			}
			srv.Close()
			return
		case <-t.C:
			open := 0
			for _, s := range sims {
				open += s.OpenSessions()
			}
			log.Printf("open sessions: %d", open)
		}
	}
}
