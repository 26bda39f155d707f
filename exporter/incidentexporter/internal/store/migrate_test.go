package store_test

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
)

func TestMigrationsPaired(t *testing.T) {
	files, err := fs.Glob(os.DirFS("migrations"), "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	have := map[string]bool{}
	for _, f := range files {
		have[f] = true
	}
	for _, f := range files {
		base, ok := strings.CutSuffix(f, ".sqlite.sql")
		if !ok {
			if base, ok = strings.CutSuffix(f, ".postgres.sql"); !ok {
				t.Fatalf("migration %s: want NNNN_name.{sqlite,postgres}.sql", f)
			}
		}
		if !have[base+".sqlite.sql"] || !have[base+".postgres.sql"] {
			t.Fatalf("migration %s has no counterpart for the other dialect", base)
		}
	}
}

func TestSQLiteMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	for range 2 { // the second open finds everything applied
		s, err := store.OpenSQLite(ctx, path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var versions []int64
	rows, err := db.Query("SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	rows.Close()
	if len(versions) != 1 || versions[0] != 1 {
		t.Fatalf("schema_migrations = %v, want [1]", versions)
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	// A database migrated by a newer build is refused.
	if _, err := db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)"); err != nil {
		t.Fatal(err)
	}
	_, err = store.OpenSQLite(ctx, path, store.Options{})
	if err == nil || !strings.Contains(err.Error(), "newer than this build") {
		t.Fatalf("open newer database: %v", err)
	}
}

func TestSQLiteOpenErrors(t *testing.T) {
	_, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "missing", "dir", "x.db"), store.Options{})
	if err == nil || !strings.Contains(err.Error(), "directory") {
		t.Fatalf("open in a missing directory: %v", err)
	}
}

func TestPostgresMigrations(t *testing.T) {
	dsn, schema := storetest.PostgresSchema(t, "aiops_test_migrations_")
	ctx := context.Background()
	// Two stores opening the same fresh schema at once migrate it once.
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			s, err := store.OpenPostgres(ctx, dsn, store.PostgresOptions{Schema: schema}, store.Options{})
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	s, err := store.OpenPostgres(ctx, dsn, store.PostgresOptions{Schema: schema}, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if _, err := store.OpenPostgres(ctx, "postgres://nobody@127.0.0.1:1/x?connect_timeout=1", store.PostgresOptions{}, store.Options{}); err == nil {
		t.Fatal("open of an unreachable server succeeded")
	}
}
