package store

import (
	"context"
	"errors"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// Sentinel errors. Every error a Store returns for one of these conditions
// wraps the sentinel (test with errors.Is); the API maps them to HTTP statuses.
var (
	// ErrNotFound: no incident, silence or outbox message with that ID.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the action does not fit the current state (acknowledging a
	// resolved incident, reopening one that is not resolved, acking an outbox
	// message claimed by someone else).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the argument is malformed (an update that fails
	// incident.Update.Validate, a bad cursor, a bad silence matcher).
	ErrInvalid = errors.New("invalid argument")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
)

// Store keeps incidents durably. Every method that changes state returns only
// after its transaction committed; outbox messages planned for a change are
// committed in the same transaction. Implementations are safe for concurrent
// use, also by several processes sharing one PostgreSQL database.
type Store interface {
	// Apply merges pipeline updates (from the correlation processor) into the
	// store, all in one transaction, and returns one result per update in
	// order. It is idempotent on (incident ID, sequence): a record whose
	// sequence is not above the last applied one changes nothing. Human
	// actions are never overwritten (see the merge rules in doc.go). An
	// update that fails validation fails the whole batch with ErrInvalid.
	Apply(ctx context.Context, updates ...incident.Update) ([]ApplyResult, error)

	// Acknowledge moves an open incident to acknowledged. Acknowledging an
	// acknowledged incident changes nothing (Changed false); a resolved one
	// is ErrConflict.
	Acknowledge(ctx context.Context, id string, a Action) (Change, error)
	// Resolve resolves an open or acknowledged incident; resolving a resolved
	// one changes nothing.
	Resolve(ctx context.Context, id string, a Action) (Change, error)
	// ReopenAsNew opens a new incident from a resolved one (RecurrenceOf set,
	// event reopened); the resolved incident stays resolved. ErrConflict when
	// id is not resolved.
	ReopenAsNew(ctx context.Context, id string, a Action) (Change, error)
	// SetNarrative stores a narrative (from the narrator) as a narrated
	// change; allowed in every status.
	SetNarrative(ctx context.Context, id string, n incident.Narrative, a Action) (Change, error)
	// AddNote appends a note to the incident's timeline. Notes are not state
	// changes: no new sequence, no outbox message.
	AddNote(ctx context.Context, id string, a Action) (TimelineEntry, error)

	// Get returns one incident with its members and its timeline.
	Get(ctx context.Context, id string) (Detail, error)
	// List returns a page of incidents matching f, newest opened first.
	List(ctx context.Context, f Filter) (Page, error)
	// Similar ranks stored incidents by similarity to inc (which need not be
	// stored); inc itself is never returned.
	Similar(ctx context.Context, inc incident.Incident, q SimilarQuery) ([]Similarity, error)

	// CreateSilence stores a silence; matching incidents' changes carry its
	// ID in Change.SilencedBy while it is active.
	CreateSilence(ctx context.Context, s Silence) (Silence, error)
	// ListSilences returns the silences, only the active ones (not expired at
	// Now) unless all is set, ordered by start.
	ListSilences(ctx context.Context, all bool) ([]Silence, error)
	// GetSilence returns one silence, expired or not.
	GetSilence(ctx context.Context, id string) (Silence, error)
	// ExpireSilence ends a silence now.
	ExpireSilence(ctx context.Context, id string) error

	// Enqueue adds outbox messages outside a state change (for example a
	// repeat notification). Messages whose (Destination, Key) exists already
	// are skipped; it returns how many were added.
	Enqueue(ctx context.Context, msgs ...OutboxMessage) (int, error)
	// Claim leases up to limit due messages for lease: they are not handed
	// out again before the lease ends. Attempt is incremented on each claim.
	Claim(ctx context.Context, limit int, lease time.Duration) ([]OutboxMessage, error)
	// Ack marks a claimed message delivered. ErrConflict when the message was
	// claimed again since (attempt differs) or is no longer pending.
	Ack(ctx context.Context, id int64, attempt int) error
	// Nack returns a claimed message for another attempt at retryAt, or marks
	// it dead when dead is set. The reason is kept as LastError.
	Nack(ctx context.Context, id int64, attempt int, retryAt time.Time, reason string, dead bool) error
	// OutboxStats counts messages by state, for queue-depth metrics.
	OutboxStats(ctx context.Context) (OutboxStats, error)

	// DeleteResolvedBefore deletes resolved incidents whose resolution is
	// older than t, with their members and timelines, and delivered or dead
	// outbox messages finished before t, and silences that ended before t.
	// It returns the number of incidents deleted.
	DeleteResolvedBefore(ctx context.Context, t time.Time) (int, error)

	// Close releases the database. It is idempotent.
	Close() error
}

// Action describes a human (or narrator) action.
type Action struct {
	// Actor names who acted: a user name from the API's auth, "narrator"…
	Actor string
	// Comment is optional text kept in the timeline; for AddNote it is the
	// note.
	Comment string
}

// ApplyResult is the outcome of one pipeline update.
type ApplyResult struct {
	// Applied is false when the update changed nothing: a duplicate or an
	// older sequence, or a record for a resolved incident that carried
	// nothing but content (see doc.go).
	Applied bool
	// Reason says why an update was not applied ("duplicate", "stale",
	// "resolved").
	Reason string
	// Change is the state change the store published; zero unless Applied.
	Change Change
}

// Change is one state change as the store publishes it: the update to
// forward and notify on, who made it and which silences cover it.
type Change struct {
	// Changed is false when a human action found nothing to do (for example
	// acknowledging an acknowledged incident); Update then holds the
	// incident as it stands.
	Changed bool
	// Update is the change as the store publishes it. The store numbers its
	// own versions: Update.Incident.Sequence is the store's sequence for the
	// incident, which counts pipeline and human changes alike, so forwarded
	// records stay ordered for downstream consumers. The effective event may
	// differ from the pipeline's (a pipeline "resolved" on an incident a
	// human resolved is not applied; an "acknowledged" after a human ack
	// becomes "updated").
	Update incident.Update
	// Previous is the status before the change (zero for a new incident).
	Previous incident.Status
	// Actor is empty for pipeline changes.
	Actor string
	// SilencedBy lists the IDs of the active silences matching the incident.
	SilencedBy []string
}

// Detail is one incident with everything the API shows about it.
type Detail struct {
	Incident incident.Incident
	// SourceSequence is the last pipeline sequence applied.
	SourceSequence int64
	// Members is every member finding ever seen, by first seen (the union of
	// all records; a record may carry only the most relevant members).
	Members []incident.Member
	// Timeline is the incident's history, oldest first, capped to the store's
	// TimelineCap newest entries; TimelineDropped counts the entries dropped.
	Timeline        []TimelineEntry
	TimelineDropped int64
}

// TimelineKind classifies a timeline entry.
type TimelineKind string

// Timeline kinds.
const (
	TimelineOpened       TimelineKind = "opened"
	TimelineUpdated      TimelineKind = "updated"
	TimelineAcknowledged TimelineKind = "acknowledged"
	TimelineResolved     TimelineKind = "resolved"
	TimelineReopened     TimelineKind = "reopened" // on the new incident; the old one gets TimelineReopenedAs
	TimelineReopenedAs   TimelineKind = "reopened_as"
	TimelineNarrated     TimelineKind = "narrated"
	TimelineMember       TimelineKind = "member" // a new member finding (fingerprint) joined
	TimelineNote         TimelineKind = "note"
)

// TimelineEntry is one line of an incident's history.
type TimelineEntry struct {
	ID         int64
	IncidentID string
	At         time.Time // store time (Now) of the entry
	Kind       TimelineKind
	Actor      string // empty for the pipeline
	Sequence   int64  // store sequence after the change (0 for notes and members)
	Status     incident.Status
	Severity   incident.Severity
	// Text: the comment, the note, the member's fingerprint and entity, or
	// the reopened incident's ID.
	Text string
}

// Filter selects incidents for List. Zero fields do not filter.
type Filter struct {
	Statuses    []incident.Status
	MinSeverity incident.Severity
	Service     string // exact service.name among the incident's services
	Host        string // exact host.name among the incident's hosts
	// From and To select incidents active in [From, To): opened before To
	// and not resolved before From.
	From, To time.Time
	// Text matches title or summary as a substring, case-insensitively
	// (Unicode lower case); % and _ are literal. Only the first 1 KiB of
	// title and summary is searched.
	Text string
	// Limit is the page size: default 50, at most MaxPageSize.
	Limit int
	// Cursor continues a previous page (Page.Next).
	Cursor string
}

// Page size bounds.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// Page is one page of List.
type Page struct {
	Incidents []incident.Incident // without members list (Members nil) to keep pages small
	// Next is the cursor of the next page, empty on the last one.
	Next string
}

// SimilarQuery tunes Similar.
type SimilarQuery struct {
	Limit    int     // default 10
	MinScore float64 // results below are dropped; default 0 keeps any overlap
	// OnlyResolved restricts the candidates to resolved incidents ("similar
	// past incidents").
	OnlyResolved bool
}

// Similarity is one similar incident.
type Similarity struct {
	Incident incident.Incident // without members
	// Score in [0, 1]: the weighted sum documented in doc.go.
	Score float64
	// Reasons in words ("same root-cause entity", "2/3 services shared"…).
	Reasons []string
}

// MatchOp is how a silence matcher compares.
type MatchOp string

// Matcher operators.
const (
	MatchEqual MatchOp = "="
	MatchRegex MatchOp = "=~" // anchored Go regular expression
)

// Matcher matches one incident field: "service" and "host" match any of the
// incident's services or hosts, "severity", "status", "title", "id",
// "root_cause.entity", "root_cause.kind" the field, and "label.<name>" a
// label.
type Matcher struct {
	Name  string
	Op    MatchOp
	Value string
}

// Silence mutes notifications for incidents matching all its matchers from
// StartsAt until EndsAt. The store only computes which silences match a change
// (Change.SilencedBy); the exporter decides what a silence mutes.
type Silence struct {
	ID        string // assigned by CreateSilence when empty
	Matchers  []Matcher
	StartsAt  time.Time // default Now
	EndsAt    time.Time // required, after StartsAt
	CreatedBy string
	Comment   string
	CreatedAt time.Time // set by the store
}

// OutboxState is where an outbox message stands.
type OutboxState int

// Outbox states.
const (
	OutboxPending   OutboxState = 0
	OutboxDelivered OutboxState = 1
	OutboxDead      OutboxState = 2
)

// OutboxMessage is one notification or forwarding to deliver at least once.
// (Destination, Key) is unique: enqueueing the same key twice keeps the first
// message, which makes replays harmless, and the receiver can deduplicate on
// Key.
type OutboxMessage struct {
	ID          int64 // assigned by the store
	Destination string
	Key         string // idempotency key, e.g. incident ID + "/" + sequence + "/" + channel
	IncidentID  string // optional
	Payload     []byte
	// NotBefore delays the first attempt; zero is now.
	NotBefore time.Time

	// Set by the store.
	State         OutboxState
	Attempt       int // attempts made so far, including the current claim
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
}

// OutboxStats counts outbox messages.
type OutboxStats struct {
	Pending, Due, Delivered, Dead int64
}

// Planner decides, inside the transaction of a state change, which outbox
// messages the change produces (one per notification channel or forwarding
// destination that wants it). It must be fast and must not do I/O.
type Planner func(c Change) []OutboxMessage

// Options configure a store. The zero value is usable.
type Options struct {
	// Now is the store's clock for timestamps of human actions, timeline
	// entries, silences and the outbox. Default time.Now.
	Now func() time.Time
	// TimelineCap is the number of timeline entries kept per incident
	// (newest kept). Default 500.
	TimelineCap int
	// Planner plans outbox messages for each state change; nil plans none.
	Planner Planner
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TimelineCap <= 0 {
		o.TimelineCap = 500
	}
	return o
}
