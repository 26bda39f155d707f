package incident

import (
	"fmt"
	"strconv"
)

// Severity ranks how bad a finding or an incident is. Severities are ordered
// (SeverityInfo < SeverityCritical), so "s >= SeverityError" is a valid filter.
// The names are the four severities of PagerDuty Events v2, and each one maps
// onto an OpenTelemetry severity range (see OTelSeverityNumber).
//
// The zero value is not a severity: Validate rejects it, so a producer that
// forgets to set one is caught instead of reporting "info".
type Severity uint8

// The severities, from least to most severe.
const (
	SeverityInfo Severity = iota + 1
	SeverityWarning
	SeverityError
	SeverityCritical
)

var severityNames = [...]string{
	SeverityInfo:     "info",
	SeverityWarning:  "warning",
	SeverityError:    "error",
	SeverityCritical: "critical",
}

// IsValid reports whether s is one of the defined severities.
func (s Severity) IsValid() bool {
	return s >= SeverityInfo && s <= SeverityCritical
}

// String returns the lower-case name ("info", "warning", "error", "critical").
func (s Severity) String() string {
	if !s.IsValid() {
		return "Severity(" + strconv.Itoa(int(s)) + ")"
	}
	return severityNames[s]
}

// ParseSeverity returns the severity named text, which must be exactly one of
// the names String returns.
func ParseSeverity(text string) (Severity, error) {
	for s := SeverityInfo; s <= SeverityCritical; s++ {
		if severityNames[s] == text {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning, error or critical)", text)
}

// MarshalText implements encoding.TextMarshaler, so a Severity reads as its
// name in configuration and JSON.
func (s Severity) MarshalText() ([]byte, error) {
	if !s.IsValid() {
		return nil, fmt.Errorf("cannot marshal invalid %s", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseSeverity.
func (s *Severity) UnmarshalText(text []byte) error {
	v, err := ParseSeverity(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// OpenTelemetry SeverityNumber ranges (logs data model): each range holds
// four numbers, and the first one is the plain level.
const (
	otelInfo  = 9  // INFO..INFO4
	otelWarn  = 13 // WARN..WARN4
	otelError = 17 // ERROR..ERROR4
	otelFatal = 21 // FATAL..FATAL4
	otelMax   = 24
)

// OTelSeverityNumber returns the OpenTelemetry SeverityNumber for s: INFO (9),
// WARN (13), ERROR (17) or FATAL (21) for info, warning, error and critical;
// 0 (unspecified) for an invalid severity.
func (s Severity) OTelSeverityNumber() int32 {
	switch s {
	case SeverityInfo:
		return otelInfo
	case SeverityWarning:
		return otelWarn
	case SeverityError:
		return otelError
	case SeverityCritical:
		return otelFatal
	default:
		return 0
	}
}

// SeverityFromOTel maps an OpenTelemetry SeverityNumber onto a Severity:
// 1–12 (TRACE, DEBUG, INFO) to info, 13–16 (WARN) to warning, 17–20 (ERROR) to
// error and 21–24 (FATAL) to critical. It reports false for 0 (unspecified)
// and for numbers outside the defined range, which carry no severity.
func SeverityFromOTel(n int32) (Severity, bool) {
	switch {
	case n <= 0 || n > otelMax:
		return 0, false
	case n >= otelFatal:
		return SeverityCritical, true
	case n >= otelError:
		return SeverityError, true
	case n >= otelWarn:
		return SeverityWarning, true
	default:
		return SeverityInfo, true
	}
}
