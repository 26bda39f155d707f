package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PostgresOptions configure the PostgreSQL backend.
type PostgresOptions struct {
	// Schema, when set, is created if missing and used as the search_path,
	// so several stores (or test runs) can share one database.
	Schema string
	// MaxConns bounds the connections; default 4.
	MaxConns int
}

// OpenPostgres connects to the PostgreSQL database at dsn (a URL or key=value
// string, as libpq takes) and applies pending migrations. Several collectors
// may share one database: changes to one incident are serialized by a row
// lock, outbox claims use SKIP LOCKED, and migrations take an advisory lock.
//
// Connections are pgx's own (not database/sql and not pgxpool, which need
// jackc/puddle, a module this build does not carry): a small fixed pool,
// enough for one collector's writer plus the API's readers.
func OpenPostgres(ctx context.Context, dsn string, po PostgresOptions, opts Options) (Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w (want postgres://user:password@host:5432/db?sslmode=...)", err)
	}
	if po.MaxConns <= 0 {
		po.MaxConns = 4
	}
	b := &pgBackend{cfg: cfg, idle: make(chan *pgx.Conn, po.MaxConns), slots: make(chan struct{}, po.MaxConns)}
	if po.Schema != "" {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("postgres: connect to %s:%d: %w", cfg.Host, cfg.Port, err)
		}
		// CREATE SCHEMA IF NOT EXISTS races with itself; the advisory lock
		// (the migrations' own) serializes collectors starting together.
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, qPGMigrationLock); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{po.Schema}.Sanitize())
			return err
		})
		_ = conn.Close(ctx)
		if err != nil {
			return nil, fmt.Errorf("postgres: create schema %q: %w", po.Schema, err)
		}
		cfg.RuntimeParams["search_path"] = po.Schema
	}
	s, err := newSQLStore(ctx, b, opts)
	if err != nil {
		_ = b.close()
		return nil, err
	}
	return s, nil
}

type pgBackend struct {
	cfg   *pgx.ConnConfig
	idle  chan *pgx.Conn
	slots chan struct{} // one token per open connection

	mu     sync.Mutex
	closed bool
}

var pgDialect = dialect{name: "postgres", forUpdate: " FOR UPDATE", claim: qClaimPostgres}

func (b *pgBackend) dialect() dialect { return pgDialect }

func (b *pgBackend) acquire(ctx context.Context) (*pgx.Conn, error) {
	for {
		b.mu.Lock()
		closed := b.closed
		b.mu.Unlock()
		if closed {
			return nil, ErrClosed
		}
		select {
		case c := <-b.idle:
			if c.IsClosed() {
				<-b.slots
				continue
			}
			return c, nil
		case b.slots <- struct{}{}:
			c, err := pgx.ConnectConfig(ctx, b.cfg)
			if err != nil {
				<-b.slots
				return nil, fmt.Errorf("postgres: connect to %s:%d: %w", b.cfg.Host, b.cfg.Port, err)
			}
			return c, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (b *pgBackend) release(c *pgx.Conn) {
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed || c.IsClosed() || c.PgConn().TxStatus() != 'I' {
		_ = c.Close(context.Background())
		<-b.slots
		return
	}
	b.idle <- c
}

func (b *pgBackend) close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	for {
		select {
		case c := <-b.idle:
			_ = c.Close(context.Background())
			<-b.slots
		default:
			return nil
		}
	}
}

func (b *pgBackend) write(ctx context.Context, fn func(q querier) error) error {
	return b.run(ctx, pgx.TxOptions{}, fn)
}

func (b *pgBackend) read(ctx context.Context, fn func(q querier) error) error {
	return b.run(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, fn)
}

func (b *pgBackend) run(ctx context.Context, o pgx.TxOptions, fn func(q querier) error) error {
	var err error
	for range maxTxAttempts {
		err = b.runOnce(ctx, o, fn)
		if !retryablePG(err) {
			return err
		}
	}
	return err
}

func retryablePG(err error) bool {
	if errors.Is(err, errRetry) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		// serialization failure, deadlock, and unique violation: two
		// collectors creating the same incident (or member) at once; on the
		// next attempt the row exists and is locked like any other.
		case "40001", "40P01", "23505":
			return true
		}
	}
	return false
}

func (b *pgBackend) runOnce(ctx context.Context, o pgx.TxOptions, fn func(q querier) error) (err error) {
	c, err := b.acquire(ctx)
	if err != nil {
		return err
	}
	defer b.release(c)
	tx, err := c.BeginTx(ctx, o)
	if err != nil {
		return err
	}
	if err := fn(pgTx{tx}); err != nil {
		_ = tx.Rollback(ctx)
		return err
	}
	if o.AccessMode == pgx.ReadOnly {
		return tx.Rollback(ctx)
	}
	return tx.Commit(ctx)
}

type pgTx struct{ tx pgx.Tx }

func (t pgTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (t pgTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := t.tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgRows{r}, nil
}

func (t pgTx) queryRow(ctx context.Context, q string, args ...any) row {
	return pgRow{t.tx.QueryRow(ctx, q, args...)}
}

type pgRows struct{ pgx.Rows }

func (r pgRows) Scan(dest ...any) error { return r.Rows.Scan(dest...) }

type pgRow struct{ r pgx.Row }

func (r pgRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return errNoRows
	}
	return err
}
