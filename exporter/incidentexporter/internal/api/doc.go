// Package api is the HTTP API of the incident exporter: list and read the
// stored incidents, act on them, silence notifications, find similar past
// incidents. The routes, parameters and JSON shapes are documented in
// ../../openapi.yaml (a test keeps both in step with the handler).
//
//	GET    /api/v1/incidents                   list (filters, keyset paging)
//	GET    /api/v1/incidents/{id}              incident, members, timeline
//	GET    /api/v1/incidents/{id}/similar      similar past incidents
//	POST   /api/v1/incidents/{id}/acknowledge  {comment?}
//	POST   /api/v1/incidents/{id}/resolve      {comment?}
//	POST   /api/v1/incidents/{id}/reopen       {comment?} → 201, the new incident
//	POST   /api/v1/incidents/{id}/notes        {comment}  → 201, the timeline entry
//	GET    /api/v1/silences                    ?all=true includes expired ones
//	POST   /api/v1/silences                    {matchers, starts_at?, ends_at | duration, comment?}
//	GET    /api/v1/silences/{id}               one silence (a created silence's Location)
//	DELETE /api/v1/silences/{id}               expire now
//
// NewHandler is the pure handler (tested with httptest over a real store);
// NewServer serves it through confighttp, so the configured auth extension,
// TLS, CORS, timeouts and body limit apply exactly as on any collector
// server. Config requires an authenticator whenever the API is enabled.
//
// The handler is strict: unknown query parameters, unknown JSON fields, a
// parameter given twice, bodies that are not application/json, and bodies
// over the limit are rejected (400, 415, 413), each error naming the field
// and what is accepted. Store errors map through one table (errors.go):
// not found 404, conflict 409, invalid 400, closed 503; anything else is a
// 500 that is logged and leaks nothing.
//
// The actor written to the timeline is the caller as the authenticator
// established it (client.Info: "username", "subject" or "sub"), else "api";
// never a request header or body field.
//
// The JSON representation (dto.go) is the API's own, separate from the
// store's private document codec: RFC 3339 times, enum names, snake_case,
// list fields always present.
package api
