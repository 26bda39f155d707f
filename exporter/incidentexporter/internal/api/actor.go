package api

import (
	"context"
	"strings"
	"unicode"

	"go.opentelemetry.io/collector/client"
)

// defaultActor names API actions when the authenticator says nothing about
// who called (bearertokenauth, for one, only checks the token).
const defaultActor = "api"

// actorAttributes are the auth attributes that name the caller, in order of
// preference: basicauth's "username", an OIDC "subject" or "sub" claim.
// Anything else an authenticator exposes (basicauth's "raw" holds the
// credentials) is never read.
var actorAttributes = []string{"username", "subject", "sub"}

// maxActorBytes bounds the actor kept in timelines.
const maxActorBytes = 128

// actor returns who made the request, as the server's authenticator
// established it (client.Info in the request context). A client-supplied
// header is never trusted for this.
func actor(ctx context.Context) string {
	auth := client.FromContext(ctx).Auth
	if auth == nil {
		return defaultActor
	}
	for _, name := range actorAttributes {
		if s, ok := auth.GetAttribute(name).(string); ok {
			if s = cleanActor(s); s != "" {
				return s
			}
		}
	}
	return defaultActor
}

// cleanActor keeps printable characters (valid UTF-8, no controls) up to
// maxActorBytes, so a user name cannot forge timeline lines or log entries.
func cleanActor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "") {
		if !unicode.IsPrint(r) {
			continue
		}
		if b.Len()+len(string(r)) > maxActorBytes {
			break
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
