package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

const crashChildEnv = "AIOPS_STORE_CRASH_CHILD"

func crashPlanner(c store.Change) []store.OutboxMessage {
	inc := c.Update.Incident
	return []store.OutboxMessage{{Destination: "webhook", IncidentID: inc.ID,
		Key: fmt.Sprintf("%s/%d/webhook", inc.ID, inc.Sequence), Payload: []byte(c.Update.Event)}}
}

// crashUpdate is the n-th update of the child's stream: incidents i = n%10,
// each getting sequences 1, 2, 3… in turn.
func crashUpdate(n int) incident.Update {
	id, seq := storetest.ID(n%10), int64(n/10+1)
	inc := storetest.Inc(id, seq, incident.StatusOpen, storetest.T0.Add(time.Duration(n)*time.Second))
	inc.Title = "n=" + strconv.Itoa(n)
	ev := incident.EventUpdated
	if seq == 1 {
		ev = incident.EventOpened
	}
	return storetest.Up(ev, inc)
}

// TestCrashChild is the child process of TestSQLiteCrashSafety: it applies
// updates forever and prints each one after Apply returned.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("child process of TestSQLiteCrashSafety")
	}
	s, err := store.OpenSQLite(context.Background(), path, store.Options{Planner: crashPlanner})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for n := 0; ; n++ {
		if _, err := s.Apply(context.Background(), crashUpdate(n)); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("acked", n) // only after the commit
	}
}

// TestSQLiteCrashSafety kills a writer process with SIGKILL in the middle of a
// stream of updates and checks that every acknowledged update, and its outbox
// message, is in the database after reopening it.
func TestSQLiteCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	last := -1
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "error") {
			t.Fatal(line)
		}
		if n, ok := strings.CutPrefix(line, "acked "); ok {
			last, _ = strconv.Atoi(n)
			if last >= 150 {
				break // kill while it keeps writing
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if last < 150 {
		t.Fatalf("child acknowledged only %d updates", last)
	}

	s, err := store.OpenSQLite(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s.Close()
	for n := last - 9; n <= last; n++ { // the last acknowledged update of each incident
		u := crashUpdate(n)
		d, err := s.Get(context.Background(), u.Incident.ID)
		if err != nil {
			t.Fatalf("update %d: %v", n, err)
		}
		if d.SourceSequence < u.Incident.Sequence {
			t.Fatalf("incident %s: source sequence %d, acknowledged %d", u.Incident.ID, d.SourceSequence, u.Incident.Sequence)
		}
	}
	msgs, err := s.Claim(context.Background(), 100000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, m := range msgs {
		keys[m.Key] = true
	}
	for n := 0; n <= last; n++ {
		u := crashUpdate(n)
		if k := fmt.Sprintf("%s/%d/webhook", u.Incident.ID, u.Incident.Sequence); !keys[k] {
			t.Fatalf("outbox message %s of acknowledged update %d lost", k, n)
		}
	}
	t.Logf("killed after %d acknowledged updates; all present with %d outbox messages", last+1, len(msgs))
}
