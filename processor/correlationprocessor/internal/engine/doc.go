// Package engine is the correlation engine of the correlation processor: it
// folds findings (pkg/incident) into incidents by time, topology and shared
// attributes, ranks their probable root causes, links preceding changes and
// drives the incident lifecycle. It imports no collector package (STYLE
// §2.3), owns no goroutine, never reads the wall clock and is not safe for
// concurrent use: the adapter calls it under one mutex.
//
// # Driving it
//
//	eng, err := engine.New(engine.DefaultConfig())
//	ups, err := eng.Ingest(finding)           // per finding (logs, metrics, error spans)
//	eng.ObserveEdge("web", "api", spanTime)   // per client→server pair seen in traces
//	eng.ObserveEntity(resourceEntity, ts)     // per resource seen (learns containment, healthy parts too)
//	ups = eng.Tick(now)                       // from the adapter's ticker
//	data, err := eng.Snapshot(); err = eng.Restore(data)  // persistence
//	s := eng.Stats()                          // self-metrics
//
// Every returned incident.Update passes Update.Validate; the adapter turns
// each into one log record (pkg/incident/incidentlog).
//
// # Time
//
// The engine's clock is the latest data time it has seen: the later of a
// finding's Time and ObservedTime, or the now passed to Tick. Timers (group
// wait, group interval, quiet period) fire when the clock passes them, from
// Ingest or Tick alike, and each update carries the time its timer was due,
// so the output depends only on the data and not on the tick cadence (unless
// MaxFutureSkew holds a finding back, below): a
// replayed storm gives the same incidents, IDs and sequences. Live, the
// adapter ticks with the wall clock so that incidents resolve without new
// data; replaying history, it ticks with the data watermark (or not at all:
// findings move the clock too). Once Tick has been called, a finding stamped
// more than MaxFutureSkew past the last tick (a producer with a wrong clock)
// moves the clock only that far and is counted in Stats.FindingsFuture;
// times after 2200 are rejected as invalid.
//
// # Grouping
//
// A finding is deduplicated by Fingerprint against open incidents: it bumps
// its member's count and last-seen time. A new fingerprint joins the open or
// pending incident it is related to, or opens a new group that emits
// "opened" after GroupWait. Related means: within the sliding Window of the
// incident's onsets; its MatchAttributes agree; and its topology node is, or
// is connected within MaxHops to, a node of the incident along dependency
// edges, with causal precedence (a cause starts no later than its effect plus
// OnsetTolerance). Edges come from three sources: trace client→server edges
// (ObserveEdge, expiring EdgeTTL after last seen), the static Dependencies
// map, and containment from entity attributes: hw.id under host.name, a
// service/pod/node entity on its pod, k8s.node.name and host.name. Among
// several related incidents an emitted one whose root cause the finding
// depends on wins (dependency-aware inhibition), then the nearest, then the
// oldest; pending groups it connects are merged into it (emitted incidents
// are never merged: their IDs are public). Topology walks stop after 2048
// nodes (4096 when ranking); only in a topology that large may the visiting
// order, and so the result, vary between runs. Changes, updates and
// severity rises are batched into one "updated" per GroupInterval; an
// incident resolves after ResolveAfter without findings and never absorbs
// findings again: the trouble coming back opens a new incident whose
// RecurrenceOf names it.
//
// # Topology nodes
//
// hw:<host.name>/<hw.id>, host:<host.name or host.id>,
// node:<k8s.node.name or uid>, pod:[<k8s.namespace.name>/]<k8s.pod.name or
// uid>, svc:<service.name>; any other entity is an isolated node. NodeOf maps
// an entity onto its node.
//
// # Changes
//
// A finding of Kind incident.KindChange is a deploy or configuration change
// of the entity it names (deployment.* attributes are ignored to find the
// changed node, so {service.name=api, deployment.id=42} changes svc:api).
// Its Evidence may carry change.kind (default "deploy"), change.from and
// change.to (default: the entity's service.version); Title, else Summary,
// becomes the description. Changes never open incidents; they are linked to
// incidents with members on the changed node whose onsets follow within
// ChangeLookback, and count for that node's root-cause score.
//
// # Root cause
//
// See rank in rootcause.go for the score: explanation (the share of the
// incident's findings the candidate accounts for, itself and through the
// failing entities that depend on it, weighed by how consistently what
// depends on it fails), not being explained by a failing dependency, onset
// order, a preceding change, layer and severity. The top TopK candidates are
// reported with their reasons and evidence finding IDs; ties are broken by
// onset, layer and node name.
package engine
