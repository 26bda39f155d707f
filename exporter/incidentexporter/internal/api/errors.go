package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// apiError is an error shown to the client as is: an HTTP status, a message
// that says what is wrong and what is accepted, and the query parameter or
// JSON field at fault, if any.
type apiError struct {
	status int
	field  string
	msg    string
}

func (e *apiError) Error() string {
	if e.field == "" {
		return e.msg
	}
	return e.field + ": " + e.msg
}

// badRequest returns a 400 naming field.
func badRequest(field, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, field: field, msg: fmt.Sprintf(format, args...)}
}

// errorBody is the JSON body of every error response.
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// storeStatuses maps the store's sentinel errors to HTTP statuses. Their
// messages name the incident or silence and the fix, so they are shown as
// they are.
var storeStatuses = []struct {
	err    error
	status int
}{
	{store.ErrNotFound, http.StatusNotFound},
	{store.ErrConflict, http.StatusConflict},
	{store.ErrInvalid, http.StatusBadRequest},
}

// errorReply turns an endpoint's error into the response. Anything that is
// neither an apiError nor a store sentinel is an internal failure: logged,
// and answered with a 500 that leaks nothing (SQL, paths, driver text).
func errorReply(ctx context.Context, logger *zap.Logger, route string, err error) (int, errorBody) {
	if ae, ok := errors.AsType[*apiError](err); ok {
		return ae.status, errorBody{Error: ae.msg, Field: ae.field}
	}
	for _, s := range storeStatuses {
		if errors.Is(err, s.err) {
			return s.status, errorBody{Error: err.Error()}
		}
	}
	switch {
	case errors.Is(err, store.ErrClosed):
		return http.StatusServiceUnavailable, errorBody{Error: "the incident store is closed (the collector is shutting down); retry later"}
	case ctx.Err() != nil:
		// The client went away or its deadline passed: not the API's fault.
		logger.Debug("incident API request canceled", zap.String("route", route), zap.Error(err))
		return http.StatusServiceUnavailable, errorBody{Error: "request canceled"}
	}
	logger.Error("incident API request failed", zap.String("route", route), zap.Error(err))
	return http.StatusInternalServerError, errorBody{Error: "internal error; the collector's log has the details"}
}
