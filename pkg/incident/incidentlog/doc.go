// Package incidentlog is the only code that knows how findings and incidents
// look as OTLP log records. Components convert with MarshalIncident /
// UnmarshalIncident and MarshalFinding / UnmarshalFinding, classify records
// with IsIncident and IsFinding, and use the exported attribute keys instead
// of writing "aiops.*" strings themselves.
//
// One record carries one finding, or one state change of one incident with
// the whole incident as it stands afterwards. Attributes are the source of
// truth; the body is a one-line summary for humans and is never read back,
// and a few flat attributes (the top root cause) are derived copies kept for
// backends that cannot query nested values. docs/data-model.md describes the
// layout for users' backends.
//
// Decoding is strict about the types and values of the attributes it knows,
// ignores attributes it does not know (so newer producers can add some), and
// refuses records of another schema version.
package incidentlog
