package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// Headers of the generic webhook.
const (
	// EventHeader repeats the document's event.
	EventHeader = "X-Aiops-Event"
	// TimestampHeader is the Unix time of the request, in seconds; it is
	// part of the signed text so a receiver can refuse old replays.
	TimestampHeader = "X-Aiops-Timestamp"
	// SignatureHeader is "v1=" + hex(HMAC-SHA256(secret, timestamp + "." +
	// body)), set when the receiver has a secret.
	SignatureHeader = "X-Aiops-Signature"
)

// webhook posts the stored document as it is.
type webhook struct {
	poster
	endpoint string
	secret   []byte
}

func (w *webhook) send(ctx context.Context, m store.OutboxMessage, doc *Document) error {
	ts := strconv.FormatInt(w.now().Unix(), 10)
	h := http.Header{}
	h.Set(IdempotencyKeyHeader, m.Key)
	h.Set(EventHeader, doc.Event)
	h.Set(TimestampHeader, ts)
	if len(w.secret) > 0 {
		h.Set(SignatureHeader, sign(w.secret, ts, m.Payload))
	}
	return w.post(ctx, w.endpoint, m.Payload, h)
}

// sign computes the SignatureHeader value.
func sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}
