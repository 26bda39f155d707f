package delivery

import (
	"errors"
	"time"
)

// ErrUnknownDestination is returned (wrapped) by a Deliverer that does not
// know a message's destination, typically a receiver removed from the
// configuration while messages for it were queued. The worker marks such
// messages dead and logs once per destination.
var ErrUnknownDestination = errors.New("unknown destination")

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as permanent: the worker marks the message dead
// instead of retrying it (a 4xx answer, a payload that cannot be rendered).
// Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with
// Permanent. Any other error is retryable.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// retryAfterError carries the delay a receiver asked for.
type retryAfterError struct {
	err   error
	delay time.Duration
}

func (e retryAfterError) Error() string { return e.err.Error() }
func (e retryAfterError) Unwrap() error { return e.err }

// RetryAfter marks err as retryable no sooner than d from now (an HTTP 429
// or 503 with Retry-After). The worker waits the longer of d and its own
// backoff. RetryAfter(nil, d) is nil.
func RetryAfter(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return retryAfterError{err: err, delay: d}
}

// RetryDelay returns the delay err asked for through RetryAfter, if any.
func RetryDelay(err error) (time.Duration, bool) {
	var r retryAfterError
	if errors.As(err, &r) {
		return r.delay, true
	}
	return 0, false
}
