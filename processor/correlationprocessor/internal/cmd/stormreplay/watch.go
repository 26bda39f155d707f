package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/stormgen"
)

// apiIncident is the part of the incident API's representation the demo
// prints (see exporter/incidentexporter/openapi.yaml).
type apiIncident struct {
	ID            string   `json:"id"`
	Status        string   `json:"status"`
	Severity      string   `json:"severity"`
	Title         string   `json:"title"`
	TotalFindings int64    `json:"total_findings"`
	Services      []string `json:"services"`
	RootCauses    []struct {
		Entity  map[string]string `json:"entity"`
		Kind    string            `json:"kind"`
		Score   float64           `json:"score"`
		Reasons []string          `json:"reasons"`
	} `json:"root_causes"`
}

// watch polls the incident API until the incident holding most of the
// storm's findings is stored, then prints every incident of the storm.
func watch(base, tokenFile string, st stormgen.Storm, wait time.Duration) error {
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	fmt.Println("waiting for the correlation processor (group_wait) and the incident store…")
	storm := 0
	for _, label := range st.Truth {
		if label == stormgen.LabelStorm {
			storm++
		}
	}
	for {
		incs, err := list(ctx, base, strings.TrimSpace(string(token)))
		if err != nil {
			return err
		}
		for _, inc := range incs {
			if inc.TotalFindings*2 >= int64(storm) {
				report(incs, st)
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no incident with most of the storm's %d findings after %v", storm, wait)
		case <-time.After(2 * time.Second):
		}
	}
}

func list(ctx context.Context, base, token string) ([]apiIncident, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/api/v1/incidents?limit=100", http.NoBody)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("incident API: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("incident API: %s", resp.Status)
	}
	var page struct {
		Incidents []apiIncident `json:"incidents"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return nil, fmt.Errorf("incident API: %w", err)
	}
	return page.Incidents, nil
}

// report prints the incidents, the largest first: the storm's own comes
// before the unrelated noise.
func report(incs []apiIncident, st stormgen.Storm) {
	slices.SortStableFunc(incs, func(a, b apiIncident) int { return cmp.Compare(b.TotalFindings, a.TotalFindings) })
	fmt.Printf("\n%d findings became %d incidents (the storm, unrelated noise and an unrelated deploy):\n", len(st.Findings), len(incs))
	for _, inc := range incs {
		fmt.Printf("\n  %s  [%s %s]  %s\n    %d findings; services %s\n", inc.ID, inc.Severity, inc.Status, inc.Title, inc.TotalFindings, strings.Join(inc.Services, ", "))
		for i, rc := range inc.RootCauses {
			fmt.Printf("    root cause #%d (%.2f): %s %s\n", i+1, rc.Score, rc.Kind, entityString(rc.Entity))
			for _, r := range rc.Reasons {
				fmt.Printf("      - %s\n", r)
			}
		}
	}
	fmt.Printf("\ninjected root cause: %s (%s)\n", st.RootNode, st.Cause)
}

func entityString(e map[string]string) string {
	var parts []string
	for _, k := range []string{"hw.id", "host.name", "k8s.node.name", "k8s.pod.name", "service.name"} {
		if v, ok := e[k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, ",")
}
