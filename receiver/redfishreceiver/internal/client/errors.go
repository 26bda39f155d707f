// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package client // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/stmcginnis/gofish/schemas"
)

// Error kinds (the values of the errors self-metric's "kind" attribute).
const (
	KindAuth             = "auth"
	KindTimeout          = "timeout"
	KindConnect          = "connect"
	KindHTTP4xx          = "http_4xx"
	KindHTTP5xx          = "http_5xx"
	KindDecode           = "decode"
	KindSessionExhausted = "session_exhausted"
	KindOther            = "other"
)

// Error is a classified request error.
type Error struct {
	Kind   string
	Status int
	URI    string
	Op     string
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Status != 0 {
		fmt.Fprintf(&b, "%d %s at %s", e.Status, http.StatusText(e.Status), e.URI)
	} else {
		fmt.Fprintf(&b, "%s %s: %v", e.Op, e.URI, e.Err)
	}
	switch e.Kind {
	case KindAuth:
		b.WriteString(" (check username/password and the account's role)")
	case KindSessionExhausted:
		b.WriteString(" (the BMC has no free session: close other sessions or wait for them to expire)")
	case KindTimeout:
		b.WriteString(" (the BMC is slow: raise timeout or lower max_concurrent_requests)")
	case KindConnect:
		b.WriteString(" (check endpoint, network and TLS settings)")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Kind returns the kind of err ("" for nil).
func Kind(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	_ = errors.As(classify(err, "", ""), &e) // classify always yields an *Error
	return e.Kind
}

// Status returns the HTTP status of a failed request (0 when there was no
// HTTP answer).
func Status(err error) int {
	var re *schemas.Error
	if errors.As(err, &re) {
		return re.HTTPReturnedStatusCode
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

func classify(err error, uri, op string) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	out := &Error{URI: uri, Op: op, Err: err, Kind: KindOther}
	var re *schemas.Error
	var ne net.Error
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &re) && re.HTTPReturnedStatusCode != 0:
		out.Status = re.HTTPReturnedStatusCode
		switch {
		case out.Status == http.StatusUnauthorized || out.Status == http.StatusForbidden:
			out.Kind = KindAuth
		case out.Status == http.StatusServiceUnavailable && op == "create session":
			out.Kind = KindSessionExhausted
		case out.Status >= 500:
			out.Kind = KindHTTP5xx
		default:
			out.Kind = KindHTTP4xx
		}
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		out.Kind = KindTimeout
	case errors.Is(err, context.Canceled):
		out.Kind = KindTimeout
	case errors.As(err, &se), errors.As(err, &te), errors.Is(err, io.ErrUnexpectedEOF), isDecodeMessage(err):
		out.Kind = KindDecode
	case errors.As(err, &ne):
		out.Kind = KindConnect
	case strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "tls:") ||
		strings.Contains(err.Error(), "x509:") || strings.Contains(err.Error(), "no such host"):
		out.Kind = KindConnect
	}
	return out
}

func isDecodeMessage(err error) bool {
	s := err.Error()
	return strings.Contains(s, "cannot unmarshal") || strings.Contains(s, "invalid character") ||
		strings.Contains(s, "unexpected end of JSON")
}
