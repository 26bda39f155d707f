// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package client // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
)

// Doc is a Redfish document decoded one level deep. Every accessor decodes
// its own field and returns the zero value when the field is absent or has
// the wrong type, so one mistyped field costs only that field (gofish's typed
// decoding fails the whole resource).
type Doc map[string]json.RawMessage

var errNotObject = errors.New("document is not a JSON object")

// Parse decodes a JSON object tolerantly.
func Parse(b []byte) (Doc, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errNotObject
	}
	var d Doc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	return d, nil
}

// Has reports whether the key is present and not null.
func (d Doc) Has(k string) bool {
	r, ok := d[k]
	return ok && string(r) != "null"
}

// Str returns a string field, "" if absent or not a string.
func (d Doc) Str(k string) string {
	r, ok := d[k]
	if !ok || len(r) == 0 || r[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(r, &s) != nil {
		return ""
	}
	return s
}

// Num returns a finite number field, nil if absent, null, not a number or
// not finite. Numbers sent as strings are not accepted: a reading of "N/A"
// or "45" from a broken BMC is absent, not guessed.
func (d Doc) Num(k string) *float64 {
	r, ok := d[k]
	if !ok || len(r) == 0 {
		return nil
	}
	c := r[0]
	if c != '-' && (c < '0' || c > '9') {
		return nil
	}
	var f float64
	if json.Unmarshal(r, &f) != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// Bool reports whether a field is the JSON literal true (absent, false or
// mistyped fields are false).
func (d Doc) Bool(k string) bool { return string(bytes.TrimSpace(d[k])) == "true" }

// Obj returns an object field, nil (a usable empty Doc) if absent or not an object.
func (d Doc) Obj(k string) Doc {
	r, ok := d[k]
	if !ok || len(r) == 0 || r[0] != '{' {
		return nil
	}
	var o Doc
	if json.Unmarshal(r, &o) != nil {
		return nil
	}
	return o
}

// Arr returns the object elements of an array field; elements that are not
// objects are skipped.
func (d Doc) Arr(k string) []Doc {
	r, ok := d[k]
	if !ok || len(r) == 0 || r[0] != '[' {
		return nil
	}
	var raw []json.RawMessage
	if json.Unmarshal(r, &raw) != nil {
		return nil
	}
	out := make([]Doc, 0, len(raw))
	for _, e := range raw {
		if len(e) == 0 || e[0] != '{' {
			continue
		}
		var o Doc
		if json.Unmarshal(e, &o) == nil {
			out = append(out, o)
		}
	}
	return out
}

// Link returns the @odata.id of a navigation property ("" if none).
func (d Doc) Link(k string) string { return d.Obj(k).Str("@odata.id") }

// Links returns the @odata.id of each element of an array of references.
func (d Doc) Links(k string) []string {
	var out []string
	for _, e := range d.Arr(k) {
		if id := e.Str("@odata.id"); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// Health returns Status.Health and Status.State.
func (d Doc) Health() (health, state string) {
	st := d.Obj("Status")
	return st.Str("Health"), st.Str("State")
}
