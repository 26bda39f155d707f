package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresDSNEnv names the environment variable with the DSN of a PostgreSQL
// database tests may use (scripts/postgres-test-server.sh start sets it; CI
// does). Each test works in a schema of its own.
const PostgresDSNEnv = "AIOPS_TEST_POSTGRES_DSN"

// PostgresSchema returns the test database's DSN and a fresh schema name
// starting with prefix; the schema is dropped when the test ends. It skips
// the test when PostgresDSNEnv is not set.
func PostgresSchema(t testing.TB, prefix string) (dsn, schema string) {
	t.Helper()
	dsn = os.Getenv(PostgresDSNEnv)
	if dsn == "" {
		t.Skipf("PostgreSQL skipped: set %s (e.g. with eval \"$(scripts/postgres-test-server.sh start)\") to run it", PostgresDSNEnv)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema = prefix + hex.EncodeToString(b[:])
	t.Cleanup(func() { dropSchema(t, dsn, schema) })
	return dsn, schema
}

func dropSchema(t testing.TB, dsn, schema string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Errorf("drop schema %s: %v", schema, err)
		return
	}
	defer func() { _ = c.Close(ctx) }()
	if _, err := c.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		t.Errorf("drop schema %s: %v", schema, err)
	}
}
