// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// cursorStore persists event-log high-water marks and component states (a
// storage extension client, or nothing).
type cursorStore interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte) error
	Close(ctx context.Context) error
}

type nopStore struct{}

func (nopStore) Get(context.Context, string) ([]byte, error) { return nil, nil }
func (nopStore) Set(context.Context, string, []byte) error   { return nil }
func (nopStore) Close(context.Context) error                 { return nil }

func openStore(ctx context.Context, host component.Host, id, owner component.ID) (cursorStore, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("redfish: storage extension %q not found (add it to service.extensions)", id)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("redfish: extension %q is not a storage extension", id)
	}
	return se.GetClient(ctx, component.KindReceiver, owner, "")
}
