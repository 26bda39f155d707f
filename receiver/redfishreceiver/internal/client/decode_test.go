// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package client

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDocTolerant(t *testing.T) {
	d, err := Parse([]byte(`{"Name": 5, "Reading": "N/A", "Speed": 42.5, "Neg": -1, "Null": null,
		"Status": {"Health": "OK", "State": 3}, "Members": [{"@odata.id": "/a"}, 7, "x", {"@odata.id": 9}],
		"Link": {"@odata.id": "/redfish/v1/x"}, "Bad": [1,2}`))
	require.Error(t, err, "invalid JSON is an error for the whole document")
	assert.Nil(t, d)

	d, err = Parse([]byte(`{"Name": 5, "Reading": "N/A", "Speed": 42.5, "Neg": -1, "Null": null,
		"Status": {"Health": "OK", "State": 3}, "Members": [{"@odata.id": "/a"}, 7, "x", {"@odata.id": 9}],
		"Link": {"@odata.id": "/redfish/v1/x"}, "Big": 1e400}`))
	require.NoError(t, err)
	assert.Empty(t, d.Str("Name"), "wrong type: absent")
	assert.Nil(t, d.Num("Reading"), "string reading: absent, never zero")
	assert.Equal(t, 42.5, *d.Num("Speed"))
	assert.Equal(t, -1.0, *d.Num("Neg"))
	assert.Nil(t, d.Num("Null"))
	assert.Nil(t, d.Num("Missing"))
	assert.Nil(t, d.Num("Big"), "out of range: absent")
	h, s := d.Health()
	assert.Equal(t, "OK", h)
	assert.Empty(t, s)
	assert.Equal(t, []string{"/a"}, d.Links("Members"), "non-object and mistyped members skipped")
	assert.Equal(t, "/redfish/v1/x", d.Link("Link"))
	assert.Nil(t, d.Obj("Name").Num("x"), "accessors on a missing object are safe")
	assert.False(t, d.Has("Null"))

	d, err = Parse([]byte(`{"T": true, "F": false, "S": "true", "N": 1}`))
	require.NoError(t, err)
	assert.True(t, d.Bool("T"))
	for _, k := range []string{"F", "S", "N", "Missing"} {
		assert.False(t, d.Bool(k), "%s: only the JSON literal true is true", k)
	}

	_, err = Parse([]byte(`[1,2]`))
	assert.Error(t, err)
	_, err = Parse(nil)
	assert.Error(t, err)
}

func TestFromDoc(t *testing.T) {
	d, err := Parse([]byte(`{"Name":"Fan 1","Status":{"Health":"Warning","State":"Enabled"},
		"SpeedPercent":{"Reading":"fast","SpeedRPM":3000},"HotPluggable":"yes"}`))
	require.NoError(t, err)
	f := FanFromDoc("/redfish/v1/Chassis/1/ThermalSubsystem/Fans/1", d)
	assert.Equal(t, "Warning", f.Health)
	assert.Nil(t, f.Percent)
	assert.Equal(t, 3000.0, *f.RPM)

	p := PSUFromDoc("/p", Doc{})
	m, err := Parse([]byte(`{"InputPowerWatts":{"Reading":100},"OutputPowerWatts":{"Reading":null},"EnergykWh":{"Reading":"1"}}`))
	require.NoError(t, err)
	PSUMetricsFromDoc(p, m)
	assert.Equal(t, 100.0, *p.InputW)
	assert.Nil(t, p.OutputW)
	assert.Nil(t, p.Energy)
}

// FuzzDecode: no input may panic the tolerant decoders, and a reading is
// either absent or a finite number.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"Reading": 1}`, `{"Reading": "x"}`, `{"SpeedPercent": {"Reading": 45, "SpeedRPM": 2200}}`,
		`{"Members": [{"@odata.id": "/a"}, 1, null], "Members@odata.nextLink": "/b"}`,
		`{"Status": {"Health": ["OK"]}}`, `{"Thresholds": {"UpperCritical": {"Reading": -5e3}}}`, `{`, `[]`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		for k := range d {
			if v := d.Num(k); v != nil && (*v != *v) {
				t.Fatalf("NaN reading for %q", k)
			}
			_ = d.Str(k)
			_ = d.Links(k)
			_ = d.Obj(k).Obj("Reading").Num("Reading")
			for _, e := range d.Arr(k) {
				_, _ = e.Health()
			}
		}
		_ = FanFromDoc("/x", d)
		p := PSUFromDoc("/x", d)
		PSUMetricsFromDoc(p, d)
	})
}
