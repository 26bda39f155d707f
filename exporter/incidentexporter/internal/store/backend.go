package store

import (
	"context"
	"errors"
)

// errNoRows is what a backend's row.Scan returns when the query found nothing,
// whatever the driver's own sentinel is.
var errNoRows = errors.New("no rows")

// errRetry asks the backend to run the transaction again (a concurrent writer
// created the same incident first).
var errRetry = errors.New("retry transaction")

// querier runs statements inside one transaction. Queries are written with
// PostgreSQL placeholders ($1, $2…); the SQLite backend rewrites them.
type querier interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args ...any) (rows, error)
	queryRow(ctx context.Context, q string, args ...any) row
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type row interface {
	Scan(dest ...any) error
}

// backend is what differs between SQLite and PostgreSQL: connections,
// transactions and a few statements.
type backend interface {
	// write runs fn in a read-write transaction and commits it durably. It
	// runs fn again (a few times) when fn or the commit fails with a
	// retryable error.
	write(ctx context.Context, fn func(q querier) error) error
	// read runs fn in a read-only transaction (one consistent snapshot).
	read(ctx context.Context, fn func(q querier) error) error
	dialect() dialect
	close() error
}

type dialect struct {
	name string // "sqlite" or "postgres": the migrations' suffix
	// forUpdate is appended to the SELECT that locks an incident row.
	forUpdate string
	// claim is the statement that leases due outbox messages.
	claim string
}

// maxTxAttempts bounds the retries of a transaction.
const maxTxAttempts = 5
