package incident

import "time"

// Incident is one problem: findings grouped by time, topology and shared
// attributes, with ranked root-cause candidates and the changes that preceded
// it. Each state change is published as an Update carrying the whole incident,
// so a consumer never has to merge partial records.
type Incident struct {
	// ID is stable for the life of the incident (see NewIncidentID).
	ID string
	// Sequence numbers the state changes of this incident: 1 for the record
	// that opens it, one more for each record after. A consumer that has seen
	// sequence n ignores any record of the same incident with sequence <= n,
	// which makes replays and out-of-order delivery harmless.
	Sequence int64
	Status   Status
	// Severity is the incident's current severity, usually the highest of its
	// members'. It may go down as well as up.
	Severity Severity
	Title    string
	Summary  string // optional

	OpenedAt  time.Time
	UpdatedAt time.Time // time of the state change this version reports
	// ResolvedAt is set exactly when Status is StatusResolved.
	ResolvedAt time.Time
	// FirstFindingAt and LastFindingAt bound the onset times of the member
	// findings; both are zero when TotalFindings is 0.
	FirstFindingAt time.Time
	LastFindingAt  time.Time

	// RootCauses are the candidate causes, most probable first.
	RootCauses []RootCause
	// Services and Hosts name the impacted service.name and host.name values,
	// sorted and without duplicates.
	Services []string
	Hosts    []string
	// Changes are the change events linked to the incident, such as a deploy
	// shortly before the onset.
	Changes []Change
	// Members summarize the member findings, one per fingerprint. A producer
	// may keep only the most relevant ones to bound the record's size;
	// TotalFindings still counts every finding.
	Members []Member
	// TotalFindings counts every finding grouped into the incident,
	// duplicates included; it is at least the sum of the Members' counts.
	TotalFindings int64
	// RecurrenceOf is the ID of the resolved incident this one repeats, or
	// empty.
	RecurrenceOf string
	Narrative    Narrative
	// Labels carry the user's grouping attributes (for example team or
	// environment). Nil and empty are the same.
	Labels map[string]string
}

// RootCause is one candidate cause of an incident.
type RootCause struct {
	Entity Entity
	// Kind is the kind of trouble at the entity, for example KindHardware.
	Kind Kind
	// Score is the ranking score, in [0, 1]; candidates are ordered by it.
	Score float64
	// Reasons say in words why the candidate ranks where it does.
	Reasons []string
	// FindingIDs are the IDs of the findings that support the candidate.
	FindingIDs []string
}

// ChangeKind classifies a change event. The set is open, like Kind.
type ChangeKind string

// The change kinds otelcol-aiops recognizes.
const (
	ChangeDeploy ChangeKind = "deploy" // a new version rolled out
	ChangeConfig ChangeKind = "config" // a configuration change
)

// Change is a change event linked to an incident: a deploy or configuration
// change to an entity shortly before or during the trouble.
type Change struct {
	Entity Entity
	Kind   ChangeKind
	// From and To are the versions or revisions before and after; either may
	// be empty when the source does not say.
	From string
	To   string
	Time time.Time
	// Description is optional free text from the change source.
	Description string
	// FindingID is the change finding this was taken from.
	FindingID string
}

// Member summarizes the findings of an incident that share one fingerprint.
type Member struct {
	Fingerprint string
	// FindingID is the ID of the first occurrence.
	FindingID string
	Kind      Kind
	// Severity is the highest severity seen among the occurrences.
	Severity  Severity
	EntityKey string // Entity.Key of the findings' entity
	Signal    string // optional, as in Finding
	FirstSeen time.Time
	LastSeen  time.Time
	// Count is the number of occurrences, at least 1.
	Count int64
}

// Validate reports every problem with inc at once, each naming its field.
func (inc Incident) Validate() error {
	var p problems
	if inc.ID == "" {
		p.addf("ID: must not be empty")
	}
	if inc.Sequence < 1 {
		p.addf("Sequence: must be at least 1, got %d", inc.Sequence)
	}
	if !inc.Status.IsValid() {
		p.addf("Status: %s is not a status", inc.Status)
	}
	if !inc.Severity.IsValid() {
		p.addf("Severity: %s is not a severity", inc.Severity)
	}
	if inc.Title == "" {
		p.addf("Title: must not be empty")
	}
	inc.validateTimes(&p)
	if msg := checkSortedSet(inc.Services); msg != "" {
		p.addf("Services: %s", msg)
	}
	if msg := checkSortedSet(inc.Hosts); msg != "" {
		p.addf("Hosts: %s", msg)
	}
	inc.validateRootCauses(&p)
	inc.validateChanges(&p)
	inc.validateMembers(&p)
	if inc.RecurrenceOf != "" && inc.RecurrenceOf == inc.ID {
		p.addf("RecurrenceOf: an incident cannot recur itself (%q)", inc.ID)
	}
	inc.Narrative.validate(&p)
	if msg := checkKeys(inc.Labels); msg != "" {
		p.addf("Labels: %s", msg)
	}
	return p.err()
}

func (inc Incident) validateTimes(p *problems) {
	resolved := inc.Status == StatusResolved
	hasFindings := inc.TotalFindings > 0
	for _, t := range []struct {
		name     string
		value    time.Time
		required bool
	}{
		{"OpenedAt", inc.OpenedAt, true},
		{"UpdatedAt", inc.UpdatedAt, true},
		{"ResolvedAt", inc.ResolvedAt, resolved},
		{"FirstFindingAt", inc.FirstFindingAt, hasFindings},
		{"LastFindingAt", inc.LastFindingAt, hasFindings},
	} {
		if msg := checkTime(t.value, t.required); msg != "" {
			p.addf("%s: %s", t.name, msg)
		}
	}
	if !resolved && !inc.ResolvedAt.IsZero() {
		p.addf("ResolvedAt: must be zero while the status is %s", inc.Status)
	}
	if !hasFindings && (!inc.FirstFindingAt.IsZero() || !inc.LastFindingAt.IsZero()) {
		p.addf("FirstFindingAt, LastFindingAt: must be zero while TotalFindings is 0")
	}
	if inc.UpdatedAt.Before(inc.OpenedAt) {
		p.addf("UpdatedAt: before OpenedAt")
	}
	if resolved && inc.ResolvedAt.Before(inc.OpenedAt) {
		p.addf("ResolvedAt: before OpenedAt")
	}
	if resolved && inc.UpdatedAt.Before(inc.ResolvedAt) {
		p.addf("UpdatedAt: before ResolvedAt")
	}
	if inc.LastFindingAt.Before(inc.FirstFindingAt) {
		p.addf("LastFindingAt: before FirstFindingAt")
	}
	if inc.TotalFindings < 0 {
		p.addf("TotalFindings: must not be negative, got %d", inc.TotalFindings)
	}
}

func (inc Incident) validateRootCauses(p *problems) {
	for i, rc := range inc.RootCauses {
		if msg := checkEntity(rc.Entity); msg != "" {
			p.addf("RootCauses[%d].Entity: %s", i, msg)
		}
		if rc.Kind == "" {
			p.addf("RootCauses[%d].Kind: must not be empty", i)
		}
		if msg := checkScore(rc.Score); msg != "" {
			p.addf("RootCauses[%d].Score: %s", i, msg)
		} else if i > 0 && rc.Score > inc.RootCauses[i-1].Score {
			p.addf("RootCauses[%d].Score: %v ranks above the candidate before it (%v); order candidates by score, highest first",
				i, rc.Score, inc.RootCauses[i-1].Score)
		}
		for j, r := range rc.Reasons {
			if r == "" {
				p.addf("RootCauses[%d].Reasons[%d]: must not be empty", i, j)
			}
		}
		for j, id := range rc.FindingIDs {
			if id == "" {
				p.addf("RootCauses[%d].FindingIDs[%d]: must not be empty", i, j)
			}
		}
	}
}

func (inc Incident) validateChanges(p *problems) {
	for i, c := range inc.Changes {
		if msg := checkEntity(c.Entity); msg != "" {
			p.addf("Changes[%d].Entity: %s", i, msg)
		}
		if c.Kind == "" {
			p.addf("Changes[%d].Kind: must not be empty", i)
		}
		if msg := checkTime(c.Time, true); msg != "" {
			p.addf("Changes[%d].Time: %s", i, msg)
		}
		if c.FindingID == "" {
			p.addf("Changes[%d].FindingID: must not be empty", i)
		}
	}
}

func (inc Incident) validateMembers(p *problems) {
	var sum int64 // stays within [0, TotalFindings]
	exceeded := false
	seen := make(map[string]int, len(inc.Members))
	for i, m := range inc.Members {
		if m.Fingerprint == "" {
			p.addf("Members[%d].Fingerprint: must not be empty", i)
		} else if j, dup := seen[m.Fingerprint]; dup {
			p.addf("Members[%d].Fingerprint: %q repeats Members[%d]; merge them", i, m.Fingerprint, j)
		} else {
			seen[m.Fingerprint] = i
		}
		if m.FindingID == "" {
			p.addf("Members[%d].FindingID: must not be empty", i)
		}
		if m.Kind == "" {
			p.addf("Members[%d].Kind: must not be empty", i)
		}
		if !m.Severity.IsValid() {
			p.addf("Members[%d].Severity: %s is not a severity", i, m.Severity)
		}
		if m.EntityKey == "" {
			p.addf("Members[%d].EntityKey: must not be empty", i)
		}
		if msg := checkTime(m.FirstSeen, true); msg != "" {
			p.addf("Members[%d].FirstSeen: %s", i, msg)
		}
		if msg := checkTime(m.LastSeen, true); msg != "" {
			p.addf("Members[%d].LastSeen: %s", i, msg)
		}
		if m.LastSeen.Before(m.FirstSeen) {
			p.addf("Members[%d].LastSeen: before FirstSeen", i)
		}
		if m.Count < 1 {
			p.addf("Members[%d].Count: must be at least 1, got %d", i, m.Count)
		} else if m.Count > inc.TotalFindings-sum { // sum+Count could overflow
			exceeded = true
		} else {
			sum += m.Count
		}
	}
	if exceeded {
		p.addf("TotalFindings: %d is less than the members' counts add up to", inc.TotalFindings)
	}
}
