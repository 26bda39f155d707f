package incidentlog

// SchemaVersion is the version of the record layout this package writes, in
// AttrSchemaVersion. A change that an older reader would misread (a renamed
// or retyped attribute, a new meaning) bumps it; adding an attribute does not.
const SchemaVersion = 1

// Attributes of every record.
const (
	// AttrEventName holds the record's event name (an incident.Event or
	// incident.FindingEventName). It repeats the LogRecord EventName field for
	// backends that predate that field.
	AttrEventName = "event.name"
	// AttrSchemaVersion holds SchemaVersion as an int.
	AttrSchemaVersion = "aiops.schema_version"
)

// Attributes of an incident record. Times are ints in Unix nanoseconds; the
// time of the state change (Incident.UpdatedAt) is the record's Timestamp.
const (
	AttrIncidentID             = "aiops.incident.id"               // string
	AttrIncidentSequence       = "aiops.incident.sequence"         // int, from 1
	AttrIncidentStatus         = "aiops.incident.status"           // string: open, acknowledged, resolved
	AttrIncidentSeverity       = "aiops.incident.severity"         // string: info, warning, error, critical
	AttrIncidentTitle          = "aiops.incident.title"            // string
	AttrIncidentSummary        = "aiops.incident.summary"          // string, optional
	AttrIncidentOpenedAt       = "aiops.incident.opened_at"        // int
	AttrIncidentResolvedAt     = "aiops.incident.resolved_at"      // int, when resolved
	AttrIncidentFirstFindingAt = "aiops.incident.first_finding_at" // int, when there are findings
	AttrIncidentLastFindingAt  = "aiops.incident.last_finding_at"  // int, when there are findings
	AttrIncidentFindingCount   = "aiops.incident.finding_count"    // int, duplicates included
	AttrIncidentServices       = "aiops.incident.services"         // string slice, optional
	AttrIncidentHosts          = "aiops.incident.hosts"            // string slice, optional
	AttrIncidentRecurrenceOf   = "aiops.incident.recurrence_of"    // string, optional
	AttrIncidentLabels         = "aiops.incident.labels"           // map of strings, optional

	// The ranked root-cause candidates, the linked changes and the member
	// summaries, each a slice of maps (see docs/data-model.md for their keys).
	AttrIncidentRootCauses = "aiops.incident.root_causes"
	AttrIncidentChanges    = "aiops.incident.changes"
	AttrIncidentMembers    = "aiops.incident.members"

	// The top root-cause candidate, flat so that any backend can query it:
	// its entity key, kind and score. Derived from AttrIncidentRootCauses and
	// ignored when reading.
	AttrIncidentRootCauseEntity = "aiops.incident.root_cause.entity" // string
	AttrIncidentRootCauseKind   = "aiops.incident.root_cause.kind"   // string
	AttrIncidentRootCauseScore  = "aiops.incident.root_cause.score"  // double

	// The narrative; all absent while its status is none.
	AttrIncidentNarrativeStatus    = "aiops.incident.narrative.status"     // string: pending, ready, fallback, failed
	AttrIncidentNarrativeText      = "aiops.incident.narrative.text"       // string, optional
	AttrIncidentNarrativeGenerator = "aiops.incident.narrative.generator"  // string, optional
	AttrIncidentNarrativeUpdatedAt = "aiops.incident.narrative.updated_at" // int
)

// Attributes of a finding record. The onset (Finding.Time) is the record's
// Timestamp and Finding.ObservedTime its ObservedTimestamp.
const (
	AttrFindingID          = "aiops.finding.id"          // string
	AttrFindingFingerprint = "aiops.finding.fingerprint" // string
	AttrFindingKind        = "aiops.finding.kind"        // string
	AttrFindingSeverity    = "aiops.finding.severity"    // string
	AttrFindingEntity      = "aiops.finding.entity"      // map of strings
	AttrFindingSignal      = "aiops.finding.signal"      // string, optional
	AttrFindingValue       = "aiops.finding.value"       // double, optional
	AttrFindingExpected    = "aiops.finding.expected"    // double, optional
	AttrFindingScore       = "aiops.finding.score"       // double in [0, 1]
	AttrFindingSource      = "aiops.finding.source"      // string
	AttrFindingTitle       = "aiops.finding.title"       // string, optional
	AttrFindingSummary     = "aiops.finding.summary"     // string, optional
	AttrFindingEvidence    = "aiops.finding.evidence"    // map of strings, optional
)

// Keys inside the maps of AttrIncidentRootCauses, AttrIncidentChanges and
// AttrIncidentMembers. Only this package reads them, so they stay unexported;
// docs/data-model.md lists them for backends.
const (
	keyEntity      = "entity"      // map of strings (root causes, changes)
	keyEntityKey   = "entity_key"  // string (members)
	keyKind        = "kind"        // string
	keyScore       = "score"       // double
	keyReasons     = "reasons"     // string slice
	keyFindingIDs  = "finding_ids" // string slice
	keyFrom        = "from"        // string
	keyTo          = "to"          // string
	keyTime        = "time"        // int
	keyDescription = "description" // string
	keyFindingID   = "finding_id"  // string
	keyFingerprint = "fingerprint" // string
	keySeverity    = "severity"    // string
	keySignal      = "signal"      // string
	keyFirstSeen   = "first_seen"  // int
	keyLastSeen    = "last_seen"   // int
	keyCount       = "count"       // int
)
