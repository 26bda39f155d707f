package regressionprocessor

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// -update rewrites testdata/<case>/expected.yaml from the processor's output.
var update = flag.Bool("update", false, "rewrite the golden expected.yaml files")

// readMetrics reads a golden file with contrib pkg/golden.
func readMetrics(t *testing.T, path string) pmetric.Metrics {
	t.Helper()
	md, err := golden.ReadMetrics(path)
	require.NoError(t, err)
	return md
}

// TestGolden feeds testdata/<case>/input.yaml through the processor (one
// batch) and compares the whole output (the unchanged input plus the
// derived series) with expected.yaml.
func TestGolden(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
	}{
		{"gauge_spike", func(c *Config) {
			c.Metrics.Exclude = []string{"not.*"}
			c.Emit.Mode = EmitAll
			c.Detection.Warmup = 10
		}},
		{"anomalous_only", func(c *Config) {
			c.Metrics.Exclude = []string{"not.*"}
			c.Detection.Warmup = 10
		}},
		{"histogram_quantiles", func(c *Config) {
			c.Quantiles = []float64{0.5}
			c.Emit.Mode = EmitAll
			c.Emit.Band = false
			c.Detection.Warmup = 10
		}},
		{"summary_quantiles", func(c *Config) {
			c.Detection.Warmup = 10
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			tc.mutate(cfg)
			input := readMetrics(t, filepath.Join("testdata", tc.name, "input.yaml"))
			want := pmetric.NewMetrics()
			input.CopyTo(want)
			// The queue (the default) sends the derived series in a request
			// of their own, the same as those appended without it.
			queued := pmetric.NewMetrics()
			input.CopyTo(queued)
			qout := runBatches(t, cfg, queued)
			cfg.Queue.Enabled = false
			out := runBatches(t, cfg, input)
			require.Len(t, out, 1)
			got := out[0]
			// The input passes through unchanged, first.
			n := want.ResourceMetrics().Len()
			prefix := pmetric.NewMetrics()
			for i := 0; i < n; i++ {
				got.ResourceMetrics().At(i).CopyTo(prefix.ResourceMetrics().AppendEmpty())
			}
			require.NoError(t, pmetrictest.CompareMetrics(want, prefix))

			path := filepath.Join("testdata", tc.name, "expected.yaml")
			if *update {
				// WriteMetricsToFile, not WriteMetrics: that one fails the
				// test on purpose, while -update should regenerate and pass.
				// Timestamps are kept as the processor wrote them.
				require.NoError(t, golden.WriteMetricsToFile(path, got, golden.SkipMetricTimestampNormalization()))
			}
			// The golden writer sorts data points by attributes (anomaly
			// events: close < ongoing < open), so their order is not compared.
			require.NoError(t, pmetrictest.CompareMetrics(readMetrics(t, path), got, pmetrictest.IgnoreMetricDataPointsOrder()))
			passed, derivedReq := splitQueued(t, qout)
			require.NoError(t, pmetrictest.CompareMetrics(want, passed))
			require.NoError(t, pmetrictest.CompareMetrics(derivedOnly(got), derivedReq))
		})
	}
}
