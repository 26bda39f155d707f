// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package client

import (
	"context"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"
)

func newSim(t *testing.T, opts ...func(*simulator.Server)) (*simulator.Server, string) {
	s := simulator.New(simulator.NewTree(simulator.DefaultSpec()))
	for _, o := range opts {
		o(s)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); ts.Close() })
	return s, ts.URL
}

func TestSessionLifecycle(t *testing.T) {
	s, url := newSim(t)
	var open atomic.Int64
	c := New(Config{Endpoint: url, Username: "admin", Password: "secret", MaxConcurrentRequests: 4},
		Hooks{SessionOpened: func() { open.Add(1) }, SessionClosed: func() { open.Add(-1) }})
	ctx := context.Background()

	// Concurrent first use and a concurrent 401 storm share one login each.
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.GetDoc(ctx, "/redfish/v1/Chassis")
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, s.SessionsCreated())
	s.ExpireSessions()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.GetDoc(ctx, "/redfish/v1/Chassis")
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 2, s.SessionsCreated(), "one re-login for the whole storm")
	assert.Equal(t, 1, s.OpenSessions())
	assert.EqualValues(t, 1, open.Load())

	require.NoError(t, c.Close(ctx))
	require.NoError(t, c.Close(ctx))
	assert.Equal(t, 0, s.OpenSessions())
	assert.EqualValues(t, 0, open.Load())
	_, err := c.GetDoc(ctx, "/redfish/v1/Chassis")
	assert.ErrorIs(t, err, ErrClosed)
}

func TestGofishWorkaroundsAndFallback(t *testing.T) {
	s, url := newSim(t)
	c := New(Config{Endpoint: url, Username: "admin", Password: "secret"}, Hooks{})
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	ctx := context.Background()
	f, err := c.GetFan(ctx, "/redfish/v1/Chassis/1U/ThermalSubsystem/Fans/Fan1")
	require.NoError(t, err)
	assert.False(t, f.Tolerant)
	assert.Equal(t, 5400.0, *f.RPM)
	p, err := c.GetPSU(ctx, "/redfish/v1/Chassis/1U/PowerSubsystem/PowerSupplies/PSU1")
	require.NoError(t, err)
	assert.False(t, p.Tolerant)
	assert.Equal(t, 165.0, *p.OutputW)
	assert.Equal(t, 800.0, *p.CapacityW)

	s.Set("/redfish/v1/Chassis/1U/PowerSubsystem/PowerSupplies/PSU1", "HotPluggable", "yes")
	p, err = c.GetPSU(ctx, "/redfish/v1/Chassis/1U/PowerSubsystem/PowerSupplies/PSU1")
	require.NoError(t, err)
	assert.True(t, p.Tolerant, "gofish failed on the mistyped field; the tolerant decoder took over")
	assert.Equal(t, 165.0, *p.OutputW)
}

func TestErrorKinds(t *testing.T) {
	s, url := newSim(t)
	c := New(Config{Endpoint: url, Username: "admin", Password: "secret"}, Hooks{})
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	ctx := context.Background()
	for code, kind := range map[int]string{403: KindAuth, 404: KindHTTP4xx, 500: KindHTTP5xx, 503: KindHTTP5xx} {
		s.SetFault("/redfish/v1/Systems", &simulator.Fault{Status: code, Times: 1})
		_, err := c.GetDoc(ctx, "/redfish/v1/Systems")
		require.Error(t, err)
		assert.Equal(t, kind, Kind(err), "%d", code)
	}
	s.SetFault("/redfish/v1/Systems", &simulator.Fault{Malformed: true, Times: 1})
	_, err := c.GetDoc(ctx, "/redfish/v1/Systems")
	assert.Equal(t, KindDecode, Kind(err))

	bad := New(Config{Endpoint: url, Username: "admin", Password: "nope"}, Hooks{})
	_, err = bad.GetDoc(ctx, "/redfish/v1/Systems")
	assert.Equal(t, KindAuth, Kind(err))
	assert.Contains(t, err.Error(), "check username/password")

	refused := New(Config{Endpoint: "http://127.0.0.1:1", Username: "a", Password: "b"}, Hooks{})
	_, err = refused.GetDoc(ctx, "/redfish/v1/Systems")
	assert.Equal(t, KindConnect, Kind(err))
}

func TestMembersPaging(t *testing.T) {
	_, url := newSim(t, func(s *simulator.Server) { s.PageSize = 1 })
	c := New(Config{Endpoint: url, Username: "admin", Password: "secret"}, Hooks{})
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	ms, err := c.Members(context.Background(), "/redfish/v1/Systems/sys1/Memory")
	require.NoError(t, err)
	assert.Len(t, ms, 4)
	var pages [][]Doc
	err = c.Pages(context.Background(), "/redfish/v1/Managers/BMC/LogServices/SEL/Entries", func(members []Doc) bool {
		pages = append(pages, members)
		return len(pages) < 2
	})
	require.NoError(t, err)
	require.Len(t, pages, 2, "the walk stops when visit says so")
	assert.Equal(t, "1", pages[0][0].Str("Id"))
	assert.Equal(t, "2", pages[1][0].Str("Id"))

	var ids []string
	err = c.Pages(context.Background(), "/redfish/v1/Systems/sys1/Memory", func(members []Doc) bool {
		for _, m := range members {
			ids = append(ids, m.Str("Id"))
		}
		return true
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"DIMM1", "DIMM2", "DIMM3", "DIMM4"}, ids, "bare references are fetched")
}
