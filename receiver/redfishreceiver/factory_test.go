// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"
)

// The metrics and logs receivers of one component ID share one fleet: one
// session per BMC for both signals, deleted when the last one stops.
func TestMetricsAndLogsShareSessions(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec(), func(s *simulator.Server) { s.MaxSessions = 8 })
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.CollectionInterval = 50 * time.Millisecond
	cfg.InitialDelay = 0
	f := NewFactory()
	set := receivertest.NewNopSettings(metadata.Type)
	ms, ls := new(consumertest.MetricsSink), new(consumertest.LogsSink)
	mr, err := f.CreateMetrics(context.Background(), set, cfg, ms)
	require.NoError(t, err)
	lr, err := f.CreateLogs(context.Background(), set, cfg, ls)
	require.NoError(t, err)
	host := componenttest.NewNopHost()
	require.NoError(t, mr.Start(context.Background(), host))
	require.NoError(t, lr.Start(context.Background(), host))

	require.Eventually(t, func() bool {
		return len(ms.AllMetrics()) >= 3 && ls.LogRecordCount() >= 3
	}, 10*time.Second, 20*time.Millisecond)
	assert.EqualValues(t, 1, s.SessionsCreated())
	assert.Equal(t, 1, s.OpenSessions())
	assert.Equal(t, 3, ls.LogRecordCount(), "each SEL entry exactly once")

	require.NoError(t, mr.Shutdown(context.Background()))
	assert.Equal(t, 1, s.OpenSessions(), "logs receiver still running")
	require.NoError(t, lr.Shutdown(context.Background()))
	assert.Equal(t, 0, s.OpenSessions())
}

// Event logs may be read on their own interval; by default with the metrics.
func TestLogsInterval(t *testing.T) {
	cfg := testConfig(bmcCfg("r1", "https://10.0.0.1"))
	assert.Equal(t, time.Minute, logsControllerConfig(cfg).CollectionInterval)
	cfg.Logs.CollectionInterval = 5 * time.Minute
	assert.Equal(t, 5*time.Minute, logsControllerConfig(cfg).CollectionInterval)
	assert.Equal(t, time.Minute, cfg.CollectionInterval, "the metrics interval is unchanged")
}
