package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go)
)

// OpenSQLite opens (creating it if needed) the SQLite database at path and
// applies pending migrations. The database runs in WAL mode with
// synchronous=FULL, so a committed change survives a crash of the process or
// the machine. All writes go through one connection (SQLite has one writer
// anyway; this turns lock contention into a queue); reads use a small pool of
// read-only connections that WAL lets run beside the writer.
func OpenSQLite(ctx context.Context, path string, opts Options) (Store, error) {
	b, err := openSQLiteBackend(path)
	if err != nil {
		return nil, err
	}
	s, err := newSQLStore(ctx, b, opts)
	if err == nil {
		err = b.wstmts.prepare(ctx, b.writer, b, writeQueries)
	}
	if err != nil {
		_ = b.close()
		return nil, err
	}
	return s, nil
}

// writeQueries are the static statements of Apply and the human actions.
var writeQueries = []string{
	qSelectIncidentState, qInsertIncident, qUpdateIncident, qInsertService, qInsertHost,
	qSelectMember, qInsertMember, qUpdateMember, qInsertTimeline, qTrimTimeline,
	qSelectSilencesActive, qEnqueue, qSetTimelineCounts, qAck, qNack, sqliteDialect.claim,
}

type sqliteBackend struct {
	writer, reader *sql.DB
	rebound        sync.Map // query text → query with ?N placeholders
	// Prepared statements of the write path (parsing was a quarter of a
	// change's CPU), prepared once the schema exists.
	wstmts stmtCache
}

type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// prepare prepares the write path's static statements on db. It runs outside
// any transaction: with one writer connection, preparing from inside a
// transaction would wait for that very connection.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB, b *sqliteBackend, queries []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	for _, q := range queries {
		q = b.rebind(q)
		if _, ok := c.stmts[q]; ok {
			continue
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("sqlite: prepare %q: %w", q, err)
		}
		c.stmts[q] = st
	}
	return nil
}

// get returns the prepared statement for q, or nil (run q unprepared).
func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[q]
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	c.stmts = nil
}

func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// BEGIN IMMEDIATE: take the write lock when the transaction starts,
		// so a read-then-write transaction never fails half-way with
		// SQLITE_BUSY when another process writes the same file.
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func openSQLiteBackend(path string) (*sqliteBackend, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: empty path: %w", ErrInvalid)
	}
	w, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	// The writer connection is opened first so that it creates the file and
	// switches it to WAL before any reader opens it.
	if err := w.Ping(); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w (check that the directory exists and is writable)", path, err)
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	return &sqliteBackend{writer: w, reader: r}, nil
}

func (b *sqliteBackend) dialect() dialect { return sqliteDialect }

var sqliteDialect = dialect{name: "sqlite", forUpdate: "", claim: qClaimSQLite}

func (b *sqliteBackend) close() error {
	b.wstmts.close()
	return errors.Join(b.reader.Close(), b.writer.Close())
}

func (b *sqliteBackend) write(ctx context.Context, fn func(q querier) error) error {
	return b.run(ctx, b.writer, false, fn)
}

func (b *sqliteBackend) read(ctx context.Context, fn func(q querier) error) error {
	return b.run(ctx, b.reader, true, fn)
}

func (b *sqliteBackend) run(ctx context.Context, db *sql.DB, readOnly bool, fn func(q querier) error) error {
	var err error
	for range maxTxAttempts {
		err = b.runOnce(ctx, db, readOnly, fn)
		if !errors.Is(err, errRetry) {
			return err
		}
	}
	return err
}

func (b *sqliteBackend) runOnce(ctx context.Context, db *sql.DB, readOnly bool, fn func(q querier) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return wrapClosed(err)
	}
	var cache *stmtCache
	if !readOnly {
		cache = &b.wstmts
	}
	if err := fn(&sqliteTx{tx: tx, b: b, cache: cache}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if readOnly {
		return tx.Rollback()
	}
	return tx.Commit()
}

func wrapClosed(err error) error {
	if err != nil && strings.Contains(err.Error(), "database is closed") {
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return err
}

// rebind turns $N placeholders into SQLite's ?N (same numbering, so a
// parameter may be used twice).
func (b *sqliteBackend) rebind(q string) string {
	if v, ok := b.rebound.Load(q); ok {
		return v.(string)
	}
	var sb strings.Builder
	for i := 0; i < len(q); i++ {
		if q[i] == '$' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9' {
			sb.WriteByte('?')
			continue
		}
		sb.WriteByte(q[i])
	}
	r := sb.String()
	b.rebound.Store(q, r)
	return r
}

type sqliteTx struct {
	tx    *sql.Tx
	b     *sqliteBackend
	cache *stmtCache // nil in read transactions
}

// stmt returns the transaction's handle on the prepared statement for q, or
// nil to run q unprepared.
func (t *sqliteTx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.cache == nil {
		return nil
	}
	st := t.cache.get(q)
	if st == nil {
		return nil
	}
	return t.tx.StmtContext(ctx, st)
}

func (t *sqliteTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	q = t.b.rebind(q)
	var res sql.Result
	var err error
	if st := t.stmt(ctx, q); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = t.tx.ExecContext(ctx, q, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *sqliteTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	q = t.b.rebind(q)
	var r *sql.Rows
	var err error
	if st := t.stmt(ctx, q); st != nil {
		r, err = st.QueryContext(ctx, args...)
	} else {
		r, err = t.tx.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (t *sqliteTx) queryRow(ctx context.Context, q string, args ...any) row {
	q = t.b.rebind(q)
	if st := t.stmt(ctx, q); st != nil {
		return sqlRow{st.QueryRowContext(ctx, args...)}
	}
	return sqlRow{t.tx.QueryRowContext(ctx, q, args...)}
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

type sqlRow struct{ r *sql.Row }

func (r sqlRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoRows
	}
	return err
}
