// Command stormeval replays generated storms through the correlation engine
// with its default configuration and prints the quality figures:
//
//	go run ./processor/correlationprocessor/internal/cmd/stormeval -storms 200 -seed 1
package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/engine"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/evaluation"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/stormgen"
)

func main() {
	storms := flag.Int("storms", 200, "number of storms")
	seed := flag.Int64("seed", 1, "seed of the first storm; storm i uses seed+i")
	misses := flag.Int("misses", 0, "print up to this many storms whose top-1 root cause was wrong")
	show := flag.Int64("show", -1, "print the incidents of the storm with this seed instead")
	flag.Parse()
	if *show >= 0 {
		if err := printStorm(*show); err != nil {
			fmt.Fprintln(os.Stderr, "stormeval:", err)
			os.Exit(1)
		}
		return
	}
	r, err := evaluation.Run(*storms, *seed, engine.DefaultConfig())
	if err != nil {
		fmt.Fprintln(os.Stderr, "stormeval:", err)
		os.Exit(1)
	}
	fmt.Print(r)
	for i, f := range r.Failures {
		if i >= *misses {
			break
		}
		fmt.Println("miss:", f)
	}
}

func printStorm(seed int64) error {
	st := stormgen.Generate(seed)
	res, err := evaluation.Replay(st, engine.DefaultConfig())
	if err != nil {
		return err
	}
	fmt.Printf("storm %d: cause %s at %s, %d findings, %d incidents\n", seed, st.Cause, st.RootNode, len(st.Findings), res.Opened)
	for _, id := range slices.Sorted(maps.Keys(res.Final)) {
		inc := res.Final[id]
		fmt.Printf("\n%s #%d [%s %s] %s\n  %d findings, %d members, services %v, hosts %v, opened %s\n",
			inc.ID, inc.Sequence, inc.Severity, inc.Status, inc.Title, inc.TotalFindings, len(inc.Members), inc.Services, inc.Hosts,
			inc.OpenedAt.Format("15:04:05"))
		for i, rc := range inc.RootCauses {
			fmt.Printf("  %d. %.3f %s %s\n", i+1, rc.Score, rc.Kind, rc.Entity.Key())
			for _, r := range rc.Reasons {
				fmt.Printf("       - %s\n", r)
			}
		}
		for _, c := range inc.Changes {
			fmt.Printf("  change: %s %s %s→%s at %s\n", c.Kind, c.Entity.Key(), c.From, c.To, c.Time.Format("15:04:05"))
		}
	}
	return nil
}
