package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// maxCommentBytes bounds a comment or note kept in the timeline.
const maxCommentBytes = 4096

// actionBody is the body of the action routes: an optional comment (the text
// of a note, where it is required).
type actionBody struct {
	Comment string `json:"comment"`
}

// action decodes the body and returns the store action: the caller from the
// authenticator, the comment from the body.
func (h *handler) action(r *http.Request, commentRequired bool) (store.Action, error) {
	var b actionBody
	if err := decodeBody(r, &b, h.opts.MaxBodyBytes, commentRequired); err != nil {
		return store.Action{}, err
	}
	switch {
	case commentRequired && b.Comment == "":
		return store.Action{}, badRequest("comment", "empty; a note needs text")
	case len(b.Comment) > maxCommentBytes:
		return store.Action{}, badRequest("comment", "%d bytes long; use at most %d", len(b.Comment), maxCommentBytes)
	}
	return store.Action{Actor: actor(r.Context()), Comment: b.Comment}, nil
}

// stateAction runs one of the store's state-changing human actions.
func (h *handler) stateAction(r *http.Request, do func(ctx context.Context, id string, a store.Action) (store.Change, error)) (store.Change, error) {
	a, err := h.action(r, false)
	if err != nil {
		return store.Change{}, err
	}
	return do(r.Context(), r.PathValue("id"), a)
}

// changeReply answers a state action with the change the store published.
func changeReply(c store.Change, err error) (reply, error) {
	if err != nil {
		return reply{}, err
	}
	return ok(toChangeResultJSON(c)), nil
}

func (h *handler) acknowledge(r *http.Request) (reply, error) {
	return changeReply(h.stateAction(r, h.st.Acknowledge))
}

func (h *handler) resolve(r *http.Request) (reply, error) {
	return changeReply(h.stateAction(r, h.st.Resolve))
}

// reopen opens a new incident from a resolved one: 201 with the new
// incident's location.
func (h *handler) reopen(r *http.Request) (reply, error) {
	c, err := h.stateAction(r, h.st.ReopenAsNew)
	rep, err := changeReply(c, err)
	if err == nil {
		rep.status, rep.location = http.StatusCreated, "/api/v1/incidents/"+url.PathEscape(c.Update.Incident.ID)
	}
	return rep, err
}

func (h *handler) addNote(r *http.Request) (reply, error) {
	a, err := h.action(r, true)
	if err != nil {
		return reply{}, err
	}
	e, err := h.st.AddNote(r.Context(), r.PathValue("id"), a)
	if err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusCreated, body: toTimelineJSON(e)}, nil
}
