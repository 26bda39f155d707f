package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkParams rejects query parameters the route does not take, so a typo
// (?stauts=open) is an error instead of a silently unfiltered answer.
func checkParams(q url.Values, accepted []string) error {
	for name := range q {
		if slices.Contains(accepted, name) {
			continue
		}
		if len(accepted) == 0 {
			return badRequest(name, "unknown query parameter; this route takes none")
		}
		return badRequest(name, "unknown query parameter; this route takes %s", strings.Join(accepted, ", "))
	}
	return nil
}

// single returns the one value of a query parameter ("" when absent); a
// parameter given twice is an error rather than a guess.
func single(q url.Values, name string) (string, error) {
	vs := q[name]
	switch len(vs) {
	case 0:
		return "", nil
	case 1:
		if vs[0] == "" {
			return "", badRequest(name, "empty value; give a value or leave the parameter out")
		}
		return vs[0], nil
	default:
		return "", badRequest(name, "given %d times; give it once", len(vs))
	}
}

// intParam parses an integer in [lo, hi]; def when absent.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	s, err := single(q, name)
	if err != nil || s == "" {
		return def, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badRequest(name, "%q is not a whole number from %d to %d", s, lo, hi)
	}
	return n, nil
}

// floatParam parses a number in [lo, hi]; def when absent.
func floatParam(q url.Values, name string, def, lo, hi float64) (float64, error) {
	s, err := single(q, name)
	if err != nil || s == "" {
		return def, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f >= lo && f <= hi) { // also rejects NaN
		return 0, badRequest(name, "%q is not a number from %g to %g", s, lo, hi)
	}
	return f, nil
}

// boolParam parses true or false; def when absent.
func boolParam(q url.Values, name string, def bool) (bool, error) {
	s, err := single(q, name)
	if err != nil || s == "" {
		return def, err
	}
	switch s {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, badRequest(name, "%q is not a boolean; use true or false", s)
}

// timeParam parses an RFC 3339 time; zero when absent.
func timeParam(q url.Values, name string) (time.Time, error) {
	s, err := single(q, name)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	return parseTime(name, s)
}

func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, badRequest(field, "%q is not an RFC 3339 time; use for example 2026-01-02T15:04:05Z", s)
	}
	return t, nil
}

// decodeBody decodes the request's JSON object into v. An empty body leaves v
// as it is unless required. Only application/json is taken (an HTML form
// cannot send it cross-site without a CORS preflight), unknown fields and
// trailing data are rejected, and a body over maxBytes is a 413.
func decodeBody(r *http.Request, v any, maxBytes int64, required bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return &apiError{status: http.StatusUnsupportedMediaType, field: "Content-Type",
				msg: fmt.Sprintf("%q is not accepted; send application/json", ct)}
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBytes+1))
	if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge || int64(len(body)) > maxBytes {
		return &apiError{status: http.StatusRequestEntityTooLarge, field: "body",
			msg: fmt.Sprintf("larger than %d bytes; the API takes small JSON objects", maxBytes)}
	}
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if required {
			return badRequest("body", "empty; send a JSON object (see openapi.yaml)")
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest("body", "trailing data after the JSON object; send one object")
	}
	return nil
}

// jsonError names the field a JSON decoding error is about.
func jsonError(err error) error {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := te.Field
		if field == "" {
			field = "body"
		}
		return badRequest(field, "got a JSON %s, want %s", te.Value, jsonTypeName(te.Type.Kind().String()))
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return badRequest("body", "not valid JSON at byte %d: %v", se.Offset, se)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return badRequest(strings.Trim(name, `"`), "unknown field; see openapi.yaml for the fields this route takes")
	}
	return badRequest("body", "not a valid JSON object: %v", err)
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "true or false"
	default:
		return "a " + kind
	}
}
