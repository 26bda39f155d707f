package delivery

// Observer receives one call per outcome of a claimed message, by
// destination, for self-metrics (the exporter backs it with its generated
// counters). Queue depths come from store.Store.OutboxStats. Calls come from
// several goroutines.
type Observer interface {
	// Delivered: the destination accepted the message.
	Delivered(destination string)
	// Retried: the attempt failed with a retryable error and the message is
	// scheduled again.
	Retried(destination string)
	// Failed: the message is dead. permanent is true for a permanent error or
	// an unknown destination, false when the retry budget ran out.
	Failed(destination string, permanent bool)
	// Deferred: the destination's lane was full (a slow or hung endpoint),
	// so the message went back to the store untried.
	Deferred(destination string)
}

// NopObserver observes nothing.
type NopObserver struct{}

// Delivered implements Observer.
func (NopObserver) Delivered(string) {}

// Retried implements Observer.
func (NopObserver) Retried(string) {}

// Failed implements Observer.
func (NopObserver) Failed(string, bool) {}

// Deferred implements Observer.
func (NopObserver) Deferred(string) {}
