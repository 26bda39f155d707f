package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
)

// postgresDSNEnv names the environment variable with the DSN of a PostgreSQL
// database the tests may use (each test creates and drops its own schema).
const postgresDSNEnv = "AIOPS_TEST_POSTGRES_DSN"

func newSQLite(t testing.TB, opts store.Options) store.Store {
	t.Helper()
	s, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "incidents.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func postgresDSN(t testing.TB) string {
	dsn := os.Getenv(postgresDSNEnv)
	if dsn == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://aiops:aiops@127.0.0.1:5432/aiops_test?sslmode=disable) to run them", postgresDSNEnv)
	}
	return dsn
}

// newPostgres opens a store in a fresh schema, dropped when the test ends.
func newPostgres(t testing.TB, opts store.Options) store.Store {
	t.Helper()
	dsn := postgresDSN(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "aiops_test_" + hex.EncodeToString(b[:])
	s, err := store.OpenPostgres(context.Background(), dsn, store.PostgresOptions{Schema: schema}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		dropSchema(t, dsn, schema)
	})
	return s
}

func dropSchema(t testing.TB, dsn, schema string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Errorf("drop schema %s: %v", schema, err)
		return
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		t.Errorf("drop schema %s: %v", schema, err)
	}
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opts store.Options) store.Store { return newSQLite(t, opts) })
}

func TestPostgresConformance(t *testing.T) {
	postgresDSN(t)
	storetest.Run(t, func(t *testing.T, opts store.Options) store.Store { return newPostgres(t, opts) })
}
