package notify

import (
	"strings"
	"unicode/utf8"
)

const ellipsis = "…"

// truncate returns s as valid UTF-8 (invalid bytes become U+FFFD) cut to at
// most limit runes, ending in "…" when cut. Incident text comes from
// telemetry and is untrusted: it may be long or not UTF-8 at all.
func truncate(s string, limit int) string {
	if utf8.ValidString(s) && utf8.RuneCountInString(s) <= limit {
		return s
	}
	return escapeTruncate(s, limit, nil)
}

// slackEscape escapes Slack's control characters (&, <, >) so incident text
// cannot form links, mentions (<!channel>) or other markup, and cuts the
// escaped result to at most limit characters without splitting an entity.
func slackEscape(s string, limit int) string {
	return escapeTruncate(s, limit, slackEntities)
}

var slackEntities = map[rune]string{'&': "&amp;", '<': "&lt;", '>': "&gt;"}

// escapeTruncate replaces each rune found in entities, makes s valid UTF-8
// and, when the result is longer than limit runes, cuts it to limit runes
// ending in "…", never inside an entity.
func escapeTruncate(s string, limit int, entities map[rune]string) string {
	if limit <= 0 {
		return ""
	}
	budget := limit
	if escapedLen(s, entities) > limit {
		budget = limit - 1 // room for the ellipsis
	}
	var b strings.Builder
	b.Grow(min(len(s), 4*limit))
	n := 0
	for _, r := range s { // ranging over a string yields U+FFFD for invalid bytes
		piece, ok := entities[r]
		if !ok {
			piece = string(r)
		}
		width := utf8.RuneCountInString(piece)
		if n+width > budget {
			b.WriteString(ellipsis)
			break
		}
		b.WriteString(piece)
		n += width
	}
	return b.String()
}

// escapedLen counts the runes of s once escaped.
func escapedLen(s string, entities map[rune]string) int {
	n := 0
	for _, r := range s {
		if piece, ok := entities[r]; ok {
			n += len(piece) // entities are ASCII
		} else {
			n++
		}
	}
	return n
}
