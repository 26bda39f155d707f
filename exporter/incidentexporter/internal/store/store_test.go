package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
)

func newSQLite(t testing.TB, opts store.Options) store.Store {
	t.Helper()
	s, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "incidents.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newPostgres opens a store in a fresh schema, dropped when the test ends.
func newPostgres(t testing.TB, opts store.Options) store.Store {
	t.Helper()
	dsn, schema := storetest.PostgresSchema(t, "aiops_test_")
	s, err := store.OpenPostgres(context.Background(), dsn, store.PostgresOptions{Schema: schema}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opts store.Options) store.Store { return newSQLite(t, opts) })
}

func TestPostgresConformance(t *testing.T) {
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		t.Skipf("PostgreSQL skipped: set %s to run it", storetest.PostgresDSNEnv)
	}
	storetest.Run(t, func(t *testing.T, opts store.Options) store.Store { return newPostgres(t, opts) })
}
