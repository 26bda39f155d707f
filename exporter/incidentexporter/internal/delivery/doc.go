// Package delivery drains the incident store's outbox: a Worker claims due
// messages with a lease, hands each to the Deliverer registered for its
// destination, Acks it on success, Nacks it with exponential backoff and
// jitter on a retryable error and marks it dead on a permanent error or when
// its retry budget (max attempts, max age) is spent.
//
// Destinations are isolated from each other: each has its own lane of
// Config.Concurrency goroutines and a buffer of the same size, and every
// request runs under Config.Timeout. A message claimed for a lane that is
// full is handed back to the store for later (deferred) instead of waiting,
// so a hung endpoint holds at most Concurrency goroutines and never delays
// other destinations. The pipeline never waits for the worker: it only
// commits outbox messages with its state changes.
//
// Delivery is at least once: a message whose Ack is lost (crash, lease
// expired) is delivered again with the same OutboxMessage.Key, which
// receivers use to deduplicate.
package delivery
