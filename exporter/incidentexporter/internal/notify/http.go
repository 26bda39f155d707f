package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
)

// IdempotencyKeyHeader carries the outbox message's key on every request, so
// a receiver can drop the duplicates that at-least-once delivery produces.
const IdempotencyKeyHeader = "Idempotency-Key"

const userAgent = "otelcol-aiops-notify/1"

// poster sends one JSON request for a receiver and classifies the outcome
// for the delivery worker.
type poster struct {
	client *http.Client
	// what names the receiver in errors ("slack receiver \"ops\""); errors
	// never carry the URL, which may be a secret.
	what string
	now  func() time.Time
}

func (p *poster) closeIdle() { p.client.CloseIdleConnections() }

// post sends body to target with headers and returns nil on a 2xx answer,
// a retryable error on transport failures, 408, 429 and 5xx (with the
// Retry-After the receiver asked for), and a permanent one otherwise.
func (p *poster) post(ctx context.Context, target string, body []byte, headers http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return delivery.Permanent(fmt.Errorf("%s: building the request failed (check the endpoint)", p.what))
	}
	for k, v := range headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", p.what, transportError(err))
	}
	defer func() { _ = resp.Body.Close() }()
	// A little of the answer explains a refusal; the rest is drained so the
	// connection can be reused.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("%s: HTTP %d %s: %s", p.what, resp.StatusCode, http.StatusText(resp.StatusCode), describeBody(snippet))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), p.now()); ok {
			return delivery.RetryAfter(err, d)
		}
		return err
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		return err
	default:
		return delivery.Permanent(err)
	}
}

// transportError strips the URL from a client error (a Slack webhook URL is
// a secret) and keeps the cause: timeouts, refused connections, TLS errors.
// All of them are retryable.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s request failed: %w", ue.Op, ue.Err)
	}
	return err
}

// describeBody renders the start of a response body for an error message:
// printable, one line.
func describeBody(b []byte) string {
	s := strings.TrimSpace(truncate(string(b), 200))
	if s == "" {
		return "(empty body)"
	}
	return strconv.Quote(s)
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
