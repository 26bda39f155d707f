package store

// All SQL text of the store. Placeholders are PostgreSQL's ($1…); the SQLite
// backend rewrites them to ?1…, which SQLite numbers the same way. Both
// dialects share every statement except the few in the dialect struct.

const incidentCols = `id, version, source_seq, status, severity, title, summary, opened_at, updated_at,
	resolved_at, root_cause_entity, root_cause_kind, recurrence_of, service_count, member_count,
	timeline_count, timeline_dropped, search, doc`

const (
	qSelectIncidentState = `SELECT version, source_seq, member_count, timeline_count, timeline_dropped, doc
	FROM incidents WHERE id = $1`

	qInsertIncident = `INSERT INTO incidents (` + incidentCols + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
	ON CONFLICT (id) DO NOTHING`

	qUpdateIncident = `UPDATE incidents SET version = $2, source_seq = $3, status = $4, severity = $5, title = $6,
	summary = $7, opened_at = $8, updated_at = $9, resolved_at = $10, root_cause_entity = $11,
	root_cause_kind = $12, recurrence_of = $13, service_count = $14, member_count = $15,
	timeline_count = $16, timeline_dropped = $17, search = $18, doc = $19 WHERE id = $1`

	qInsertService = `INSERT INTO incident_services (incident_id, service, opened_at) VALUES ($1, $2, $3)
	ON CONFLICT (incident_id, service) DO NOTHING`
	qInsertHost = `INSERT INTO incident_hosts (incident_id, host, opened_at) VALUES ($1, $2, $3)
	ON CONFLICT (incident_id, host) DO NOTHING`

	qSelectMembers = `SELECT fingerprint, finding_id, kind, severity, entity_key, signal, first_seen, last_seen, count
	FROM incident_members WHERE incident_id = $1 ORDER BY first_seen, fingerprint`
	qSelectMember = `SELECT severity, first_seen, last_seen, count FROM incident_members
	WHERE incident_id = $1 AND fingerprint = $2`
	qInsertMember = `INSERT INTO incident_members (incident_id, fingerprint, finding_id, kind, severity, entity_key,
	signal, first_seen, last_seen, count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	qUpdateMember = `UPDATE incident_members SET severity = $3, first_seen = $4, last_seen = $5, count = $6
	WHERE incident_id = $1 AND fingerprint = $2`
	qCountMembers = `SELECT COUNT(*) FROM incident_members WHERE incident_id = $1`

	qInsertTimeline = `INSERT INTO timeline (incident_id, at, kind, actor, sequence, status, severity, text)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`
	// Deletes the oldest entries beyond the cap ($2 = how many to drop).
	qTrimTimeline = `DELETE FROM timeline WHERE id IN (
	SELECT id FROM timeline WHERE incident_id = $1 ORDER BY id LIMIT $2)`
	qSelectTimeline = `SELECT id, incident_id, at, kind, actor, sequence, status, severity, text
	FROM timeline WHERE incident_id = $1 ORDER BY id`
	qSetTimelineCounts = `UPDATE incidents SET timeline_count = $2, timeline_dropped = $3 WHERE id = $1`

	qSelectDetail = `SELECT source_seq, timeline_dropped, doc FROM incidents WHERE id = $1`

	// List: the WHERE clause is built from the filter (see list.go).
	qListPrefix = `SELECT i.id, i.opened_at, i.doc FROM incidents i`

	qSimilarByFingerprint = `SELECT incident_id, COUNT(*) FROM incident_members
	WHERE fingerprint IN (%s) AND incident_id <> $1 GROUP BY incident_id ORDER BY COUNT(*) DESC, incident_id LIMIT $2`
	qSimilarByService = `SELECT incident_id, COUNT(*) FROM incident_services
	WHERE service IN (%s) AND incident_id <> $1 GROUP BY incident_id ORDER BY COUNT(*) DESC, incident_id LIMIT $2`
	qSimilarByRootCauseEntity = `SELECT id FROM incidents WHERE root_cause_entity = $2 AND id <> $1
	ORDER BY opened_at DESC LIMIT $3`
	qSimilarByRootCauseKind = `SELECT id FROM incidents WHERE root_cause_kind = $2 AND id <> $1
	ORDER BY opened_at DESC LIMIT $3`
	qSimilarCandidate = `SELECT root_cause_entity, root_cause_kind, service_count, member_count, doc
	FROM incidents WHERE id = $1`
	qCandidateFingerprints = `SELECT fingerprint FROM incident_members WHERE incident_id = $1`

	qInsertSilence = `INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7)`
	qSelectSilencesActive = `SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at
	FROM silences WHERE ends_at > $1 ORDER BY starts_at, id`
	qSelectSilencesAll = `SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at
	FROM silences ORDER BY starts_at, id`
	qSelectSilence = `SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at
	FROM silences WHERE id = $1`
	qExpireSilence = `UPDATE silences SET ends_at = $2 WHERE id = $1 AND ends_at > $2`
	qSilenceExists = `SELECT 1 FROM silences WHERE id = $1`

	qEnqueue = `INSERT INTO outbox (destination, idem_key, incident_id, payload, state, attempt, next_attempt_at,
	last_error, created_at, done_at) VALUES ($1, $2, $3, $4, 0, 0, $5, '', $6, 0)
	ON CONFLICT (destination, idem_key) DO NOTHING`
	outboxCols = `id, destination, idem_key, incident_id, payload, state, attempt, next_attempt_at, last_error, created_at`
	// $1 now, $2 limit, $3 lease end.
	qClaimSQLite = `UPDATE outbox SET attempt = attempt + 1, next_attempt_at = $3
	WHERE id IN (SELECT id FROM outbox WHERE state = 0 AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2)
	RETURNING ` + outboxCols
	qClaimPostgres = `UPDATE outbox SET attempt = attempt + 1, next_attempt_at = $3
	WHERE id IN (SELECT id FROM outbox WHERE state = 0 AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2
	FOR UPDATE SKIP LOCKED)
	RETURNING ` + outboxCols
	qAck  = `UPDATE outbox SET state = 1, done_at = $3, last_error = '' WHERE id = $1 AND attempt = $2 AND state = 0`
	qNack = `UPDATE outbox SET state = $4, next_attempt_at = $3, last_error = $5, done_at = $6
	WHERE id = $1 AND attempt = $2 AND state = 0`
	qOutboxExists = `SELECT 1 FROM outbox WHERE id = $1`
	qOutboxStats  = `SELECT state, COUNT(*), COALESCE(SUM(CASE WHEN next_attempt_at <= $1 THEN 1 ELSE 0 END), 0)
	FROM outbox GROUP BY state`

	// Retention, in batches so one run never holds the write lock long.
	qSelectExpired  = `SELECT id FROM incidents WHERE status = 3 AND resolved_at < $1 ORDER BY resolved_at LIMIT $2`
	qDeleteIncident = `DELETE FROM incidents WHERE id = $1`
	qDeleteServices = `DELETE FROM incident_services WHERE incident_id = $1`
	qDeleteHosts    = `DELETE FROM incident_hosts WHERE incident_id = $1`
	qDeleteMembers  = `DELETE FROM incident_members WHERE incident_id = $1`
	qDeleteTimeline = `DELETE FROM timeline WHERE incident_id = $1`
	qDeleteOutbox   = `DELETE FROM outbox WHERE state <> 0 AND done_at < $1`
	qDeleteSilences = `DELETE FROM silences WHERE ends_at < $1`

	qCreateMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`
	qSelectMigrations = `SELECT version FROM schema_migrations ORDER BY version`
	qInsertMigration  = `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`
	// Serializes migrations of collectors sharing one PostgreSQL database.
	qPGMigrationLock = `SELECT pg_advisory_xact_lock(7423001)`
)
