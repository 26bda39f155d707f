package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int64
	name    string
	sql     string
}

// migrations returns the dialect's migrations in version order. Files are
// named NNNN_name.<dialect>.sql.
func migrations(dialect string) ([]migration, error) {
	files, err := fs.Glob(migrationFS, "migrations/*."+dialect+".sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, f := range files {
		base := strings.TrimSuffix(strings.TrimPrefix(f, "migrations/"), "."+dialect+".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration file %q: want NNNN_name.%s.sql", f, dialect)
		}
		b, err := migrationFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate applies the pending migrations, each in its own transaction that
// also records it in schema_migrations. A database migrated by a newer build
// is refused rather than misread.
func migrate(ctx context.Context, b backend, now func() time.Time) error {
	d := b.dialect()
	ms, err := migrations(d.name)
	if err != nil {
		return err
	}
	latest := ms[len(ms)-1].version
	for _, m := range ms {
		err := b.write(ctx, func(q querier) error {
			if d.name == "postgres" {
				if _, err := q.exec(ctx, qPGMigrationLock); err != nil {
					return err
				}
			}
			if _, err := q.exec(ctx, qCreateMigrations); err != nil {
				return err
			}
			applied, err := appliedVersions(ctx, q)
			if err != nil {
				return err
			}
			if len(applied) > 0 && applied[len(applied)-1] > latest {
				return fmt.Errorf("database schema version %d is newer than this build knows (%d): upgrade otelcol-aiops or use another database",
					applied[len(applied)-1], latest)
			}
			for _, v := range applied {
				if v == m.version {
					return nil
				}
			}
			if _, err := q.exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %04d_%s (%s): %w", m.version, m.name, d.name, err)
			}
			_, err = q.exec(ctx, qInsertMigration, m.version, m.name, now().UnixNano())
			return err
		})
		if err != nil {
			return fmt.Errorf("%s store: migrate: %w", d.name, err)
		}
	}
	return nil
}

func appliedVersions(ctx context.Context, q querier) ([]int64, error) {
	r, err := q.query(ctx, qSelectMigrations)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []int64
	for r.Next() {
		var v int64
		if err := r.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, r.Err()
}
