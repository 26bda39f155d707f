package notify

import (
	"slices"
	"strings"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// eventSet is a set of incident events, one bit each.
type eventSet uint8

const eventPrefix = "aiops.incident."

// routableEvents lists the events by bit, in the order of eventSet's bits.
var routableEvents = [...]incident.Event{
	incident.EventOpened, incident.EventReopened, incident.EventUpdated,
	incident.EventAcknowledged, incident.EventResolved, incident.EventNarrated,
}

// defaultEvents is what a route without events selects: the changes of
// status. Updates (new findings) and narratives are opt-in: they can be
// frequent.
var defaultEvents = eventBits(incident.EventOpened, incident.EventReopened, incident.EventAcknowledged, incident.EventResolved)

func eventBits(events ...incident.Event) eventSet {
	var s eventSet
	for _, e := range events {
		if i := slices.Index(routableEvents[:], e); i >= 0 {
			s |= 1 << i
		}
	}
	return s
}

// parseEvent reads an event by its short name ("opened").
func parseEvent(name string) (incident.Event, bool) {
	e := incident.Event(eventPrefix + name)
	return e, slices.Contains(routableEvents[:], e)
}

// shortEvent is the event's name without the aiops.incident. prefix.
func shortEvent(e incident.Event) string { return strings.TrimPrefix(string(e), eventPrefix) }

// route is a compiled RouteConfig.
type route struct {
	receivers   []int // indexes into Notifier.receivers
	minSeverity incident.Severity
	services    []string
	statuses    uint8 // bit per incident.Status; 0 matches any
	events      eventSet
	repeat      time.Duration
	cont        bool
}

// target is a receiver picked for a change, with the repeat interval of the
// first matching route that named it.
type target struct {
	receiver int
	repeat   time.Duration
}

// router is the compiled route table.
type router struct {
	routes  []route
	repeats bool // some route repeats
}

func newRouter(cfgs []RouteConfig, index map[string]int) router {
	r := router{routes: make([]route, len(cfgs))}
	for i, c := range cfgs {
		rt := route{
			services: slices.Clone(c.Services),
			repeat:   c.RepeatInterval, cont: c.Continue, events: defaultEvents,
		}
		if c.MinSeverity != nil {
			rt.minSeverity = *c.MinSeverity
		}
		for _, n := range c.Receivers {
			rt.receivers = append(rt.receivers, index[n])
		}
		for _, s := range c.Statuses {
			rt.statuses |= 1 << s
		}
		if len(c.Events) > 0 {
			rt.events = 0
			for _, name := range c.Events {
				e, _ := parseEvent(name)
				rt.events |= eventBits(e)
			}
		}
		r.repeats = r.repeats || rt.repeat > 0
		r.routes[i] = rt
	}
	return r
}

// match appends to dst the receivers of a change with event ev to inc, each
// once: routes are tried in order and the first that matches ends the search
// unless it has continue set. Repeats are routed as an opened event for the
// incident as it stands, and sent to the targets with a repeat interval.
func (r *router) match(ev incident.Event, inc *incident.Incident, dst []target) []target {
	for i := range r.routes {
		rt := &r.routes[i]
		if !rt.matches(ev, inc) {
			continue
		}
		for _, recv := range rt.receivers {
			if !slices.ContainsFunc(dst, func(t target) bool { return t.receiver == recv }) {
				dst = append(dst, target{receiver: recv, repeat: rt.repeat})
			}
		}
		if !rt.cont {
			break
		}
	}
	return dst
}

func (rt *route) matches(ev incident.Event, inc *incident.Incident) bool {
	if rt.events&eventBits(ev) == 0 {
		return false
	}
	if inc.Severity < rt.minSeverity {
		return false
	}
	if rt.statuses != 0 && rt.statuses&(1<<inc.Status) == 0 {
		return false
	}
	if len(rt.services) > 0 && !slices.ContainsFunc(inc.Services, func(s string) bool { return slices.Contains(rt.services, s) }) {
		return false
	}
	return true
}
