// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func do(t *testing.T, s *Server, method, path, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func TestSessionsAndAuth(t *testing.T) {
	s := New(NewTree(DefaultSpec()))
	s.MaxSessions = 2
	defer s.Close()
	assert.Equal(t, http.StatusOK, do(t, s, "GET", "/redfish/v1", "", nil).Code, "service root is public")
	assert.Equal(t, http.StatusUnauthorized, do(t, s, "GET", "/redfish/v1/Chassis", "", nil).Code)
	assert.Equal(t, http.StatusUnauthorized, do(t, s, "POST", sessionsPath, `{"UserName":"admin","Password":"x"}`, nil).Code)
	var locs []string
	for range 2 {
		w := do(t, s, "POST", sessionsPath, `{"UserName":"admin","Password":"secret"}`, nil)
		require.Equal(t, http.StatusCreated, w.Code)
		locs = append(locs, w.Header().Get("Location"))
		assert.Equal(t, http.StatusOK, do(t, s, "GET", "/redfish/v1/Chassis", "", map[string]string{"X-Auth-Token": w.Header().Get("X-Auth-Token")}).Code)
	}
	assert.Equal(t, http.StatusServiceUnavailable, do(t, s, "POST", sessionsPath, `{"UserName":"admin","Password":"secret"}`, nil).Code)
	basic := map[string]string{"Authorization": "Basic YWRtaW46c2VjcmV0"} // admin:secret
	assert.Equal(t, http.StatusNoContent, do(t, s, "DELETE", locs[0], "", basic).Code)
	assert.Equal(t, http.StatusNotFound, do(t, s, "DELETE", locs[0], "", basic).Code)
	assert.Equal(t, 1, s.OpenSessions())
	assert.EqualValues(t, 2, s.SessionsCreated())
	assert.EqualValues(t, 1, s.SessionsDeleted())
}

func TestFaultsAndPaging(t *testing.T) {
	s := New(NewTree(DefaultSpec()))
	defer s.Close()
	s.PageSize = 3
	basic := map[string]string{"Authorization": "Basic YWRtaW46c2VjcmV0"}
	w := do(t, s, "GET", "/redfish/v1/Chassis/1U/Sensors", "", basic)
	var page struct {
		Members  []map[string]any
		NextLink string `json:"Members@odata.nextLink"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &page))
	assert.Len(t, page.Members, 3)
	assert.Equal(t, "/redfish/v1/Chassis/1U/Sensors?$skip=3", page.NextLink)

	s.SetFault("/redfish/v1/Systems", &Fault{Status: 500, Times: 1})
	assert.Equal(t, 500, do(t, s, "GET", "/redfish/v1/Systems", "", basic).Code)
	assert.Equal(t, 200, do(t, s, "GET", "/redfish/v1/Systems", "", basic).Code, "Times: 1")
	s.SetFault("/redfish/v1/Systems", &Fault{Malformed: true})
	w = do(t, s, "GET", "/redfish/v1/Systems", "", basic)
	assert.False(t, json.Valid(w.Body.Bytes()))
	s.SetFault("/redfish/v1/Systems", &Fault{Latency: 50 * time.Millisecond})
	start := time.Now()
	do(t, s, "GET", "/redfish/v1/Systems", "", basic)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
}

func TestQueryOptions(t *testing.T) {
	spec := DefaultSpec()
	basic := map[string]string{"Authorization": "Basic YWRtaW46c2VjcmV0"}
	entries := "/redfish/v1/Managers/BMC/LogServices/SEL/Entries"
	ids := func(s *Server, uri string) ([]string, int) {
		w := do(t, s, "GET", uri, "", basic)
		var col struct {
			Members []struct {
				ID string `json:"Id"`
			}
		}
		_ = json.Unmarshal(w.Body.Bytes(), &col)
		var out []string
		for _, m := range col.Members {
			out = append(out, m.ID)
		}
		return out, w.Code
	}
	filter := entries + "?$filter=Created%20gt%20'2026-11-21T10:00:00Z'"

	s := New(NewTree(spec))
	defer s.Close()
	s.FilterQuery, s.TopSkipQuery = true, true
	got, code := ids(s, filter)
	assert.Equal(t, 200, code)
	assert.Equal(t, []string{"2", "3"}, got)
	got, _ = ids(s, entries+"?$filter=Id%20ge%203")
	assert.Equal(t, []string{"3"}, got)
	got, _ = ids(s, entries+"?$skip=1&$top=1")
	assert.Equal(t, []string{"2"}, got)
	_, code = ids(s, entries+"?$filter=Severity%20eq%20'OK'")
	assert.Equal(t, 400, code, "unsupported filter property")

	s.FilterQuery, s.TopSkipQuery, s.NewestFirst = false, false, true
	_, code = ids(s, filter)
	assert.Equal(t, 501, code, "unsupported query option")
	_, code = ids(s, entries+"?$skip=1")
	assert.Equal(t, 501, code)
	s.IgnoreQuery = true
	got, code = ids(s, filter)
	assert.Equal(t, 200, code)
	assert.Equal(t, []string{"3", "2", "1"}, got, "filter ignored, newest first")
	assert.EqualValues(t, 2+1+1+3, s.MembersServed())
}

func TestLoadMockup(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "..", "shared", "redfish-mockups", "public-rackmount1")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("mockup not available")
	}
	docs, err := LoadMockup(dir)
	require.NoError(t, err)
	assert.Contains(t, docs, "/redfish/v1/Chassis/1U/ThermalSubsystem/Fans/Bay1")
	_, err = LoadMockup(t.TempDir())
	assert.Error(t, err)
}
