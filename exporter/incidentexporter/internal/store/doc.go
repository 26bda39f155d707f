// Package store keeps the incidents of the incident exporter durably: SQLite
// embedded (one file, pure Go, the default) or PostgreSQL (shared by several
// collectors). Store is the interface; OpenSQLite and OpenPostgres return the
// one implementation, sqlStore, over two thin backends (sqlite.go,
// postgres.go). All SQL text is in queries.go; the schema is in
// migrations/NNNN_name.{sqlite,postgres}.sql, embedded, applied each in its
// own transaction and recorded in schema_migrations (PostgreSQL takes an
// advisory lock so collectors starting together migrate once; a database
// migrated by a newer build is refused). storetest is the conformance suite
// both backends pass. The package imports no collector package, and takes its
// time from Options.Now.
//
// # Schema
//
//   - incidents: one row per incident. doc is the whole incident as JSON (the
//     source of truth for Get and List); the other columns are copies for
//     queries: status and severity as their ordered pkg/incident numbers,
//     times as Unix nanoseconds (0 = unset), the top root cause's entity key
//     and kind, counts. version is the store's sequence of the incident,
//     source_seq the last pipeline sequence applied.
//   - incident_services, incident_hosts: the incident's current services and
//     hosts, indexed for the service and host filters.
//   - incident_members: every member finding ever seen, one row per
//     fingerprint (the union of all records, since a record may carry only
//     the most relevant members), indexed by fingerprint for Similar.
//   - timeline: every state change, member arrival, note and reopen, capped
//     to Options.TimelineCap newest entries per incident (the number dropped
//     is kept).
//   - silences, outbox, schema_migrations.
//
// Indexes serve List's keyset order (opened_at DESC, id DESC), alone and
// after status or severity, and the service/host lookups. The text filter is
// a substring scan (search LIKE '%…%', search being the lower-cased title and
// summary) over a covering index, so rows that do not match are never read;
// a trigram (pg_trgm) or FTS5 index is the next step for larger stores.
//
// # Durability
//
// Every method that changes state returns after its transaction committed.
// SQLite runs in WAL mode with synchronous=FULL (a commit is fsynced), with
// one writer connection (BEGIN IMMEDIATE) and a pool of read-only
// connections. Apply takes a batch: the exporter commits one transaction per
// ConsumeLogs call.
//
// # Merge rules
//
// The pipeline (correlation) numbers the records of an incident; the store
// keeps, per incident, the last sequence applied (source_seq) and its own
// sequence (version), which grows with every change, pipeline or human. The
// store publishes changes with its own sequence in Incident.Sequence, so
// records forwarded downstream stay ordered although humans change incidents
// the pipeline does not know about.
//
//  1. A record whose sequence is not above source_seq changes nothing
//     (duplicate or stale): replays and reordering are harmless.
//  2. The first record of an unknown incident is stored as it comes, whatever
//     its sequence (an earlier record may have been lost).
//  3. Status only moves forward along incident.CanTransition (open →
//     acknowledged → resolved). A record whose status is behind the stored
//     one (correlation says open, a human acknowledged) keeps the stored
//     status but takes everything else: title, summary, severity, root
//     causes, changes, services, hosts, members, counts, labels. The event
//     published is then "updated" (an "acknowledged" record for an
//     acknowledged incident is also published as "updated").
//  4. Resolved is terminal. After resolution (human or pipeline) a record
//     applies only a newer narrative (published as "narrated"); anything else
//     — including a correlation "resolved" after a human resolve — is a
//     no-op (ApplyResult.Reason "resolved"); source_seq still advances.
//  5. OpenedAt is the first record's; RecurrenceOf is kept unless a record
//     sets it; a record without a narrative, or with an older one, keeps the
//     stored narrative (the narrator may have written it through
//     SetNarrative); UpdatedAt never goes back.
//  6. Members merge by fingerprint: highest severity, earliest first seen,
//     latest last seen, largest count. A new fingerprint adds a "member"
//     timeline entry.
//
// Human actions: Acknowledge (open → acknowledged), Resolve (open or
// acknowledged → resolved, ResolvedAt = Now), ReopenAsNew (resolved only: a new
// incident, event "reopened", RecurrenceOf the old one, same title, severity,
// root causes, services, hosts, changes and labels, no findings; the old one
// gets a "reopened_as" timeline entry), SetNarrative, AddNote (timeline
// only). Repeating an action that is already done changes nothing
// (Change.Changed false); an impossible one is ErrConflict. Human times come
// from Options.Now, never earlier than the incident's OpenedAt/UpdatedAt, so
// published updates always validate.
//
// # Similar incidents
//
// Candidates come from four index lookups, up to 100 each: incidents sharing
// a member fingerprint (most shared first), sharing a service, with the same
// top root-cause entity, with the same root-cause kind. Each is scored in Go:
//
//	0.35 × same root-cause entity + 0.10 × same root-cause kind
//	+ 0.20 × Jaccard(services) + 0.35 × Jaccard(member fingerprints)
//
// so an incident with the same cause, services and findings scores 1. Ties
// break on the most recent, then ID. Reasons say which terms contributed.
// OnlyResolved filters after candidate selection.
//
// # Silences
//
// A silence is a set of matchers (=, or =~ an anchored Go regexp) on service,
// host, severity, status, title, id, root_cause.entity, root_cause.kind or
// label.<name>, and a time window. The store does not mute anything: each
// published Change lists the active silences that match (SilencedBy), and the
// exporter's routing decides.
//
// # Outbox
//
// Options.Planner is called inside the transaction of every state change
// (pipeline or human) and returns the messages to deliver (one per channel or
// forwarding destination); they are inserted in that same transaction, so a
// change is committed with its notifications or not at all. (Destination,
// Key) is unique and enqueueing an existing key is a no-op, so a replayed
// record or a repeated Enqueue never adds a second message; a key like
// "<incident id>/<sequence>/<channel>" makes the receiver's deduplication
// exact. A deliverer Claims due messages for a lease (attempt + 1, hidden
// until the lease ends), then Acks (delivered) or Nacks (retry at a time, or
// dead). If it crashes, the lease runs out and the message is claimed again:
// delivery is at least once, and exactly once per key at a receiver that
// deduplicates on it. An Ack from a claim that lost its lease is refused
// (ErrConflict). On PostgreSQL claims use FOR UPDATE SKIP LOCKED, so several
// collectors share the outbox.
//
// # Retention
//
// DeleteResolvedBefore removes resolved incidents resolved before a time
// (with members, services, hosts and timeline) in batches of 500 per
// transaction, delivered or dead outbox messages finished before it, and silences that
// ended before it. A
// replayed record of a deleted incident would create it again, so keep the
// retention longer than any replay window.
package store
