package ecrreplication

import (
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// tracker follows every destination of one wait from answer to answer. It
// holds the invariants the waiter's decision rests on:
//
//   - Sticky: a destination listed by any answer of the wait stays in the
//     report; when a later answer leaves it out, its status is "" (pending)
//     and MissingSince says since when. A destination that vanishes can
//     therefore never count as complete.
//   - Expectations: with expected destinations, only those (matched by
//     region and, when given, registry ID) must complete; an expected
//     destination that no answer has listed yet is a pending placeholder,
//     and listed destinations outside the expectations are marked Extra.
//     Only the region and registry ID of an expectation are ever used.
//   - Timing: for each destination, the request instant of the last poll
//     that listed it as not COMPLETE (LastSeenPending) and the answer
//     instant of the first poll since then that listed it COMPLETE
//     (FirstSeenComplete), so that its completion lies between the two.
type tracker struct {
	// expected are the destinations that must complete (region and
	// registry ID only, sorted and unique); empty means every destination
	// listed during the wait.
	expected []Destination
	// seen are the destinations listed during the wait, sorted, with the
	// state of the latest answer; next is the buffer of the next answer's.
	seen, next []seenDestination
}

// seenDestination is a destination listed at least once during the wait.
type seenDestination struct {
	Destination
	// firstFailed is the answer instant of the first poll that listed it
	// FAILED.
	firstFailed time.Time
}

// setExpected sets the destinations that must complete, keeping only their
// region and registry ID.
func (t *tracker) setExpected(ds []Destination) {
	t.expected = make([]Destination, 0, len(ds))
	for _, d := range ds {
		t.expected = append(t.expected, Destination{Region: d.Region, RegistryID: d.RegistryID})
	}
	sortDestinations(t.expected)
	t.expected = slices.Compact(t.expected)
}

// observe merges an answer's destinations (sorted and without duplicates, as
// NewReport makes them) into the destinations seen so far. sent is when the
// poll's request was sent, answered when its answer arrived.
func (t *tracker) observe(listed []Destination, sent, answered time.Time) {
	next := t.next[:0]
	i, j := 0, 0
	for i < len(t.seen) || j < len(listed) {
		c := 0
		switch {
		case i == len(t.seen):
			c = 1
		case j == len(listed):
			c = -1
		default:
			c = compareDestinations(t.seen[i].Destination, listed[j])
		}
		var s seenDestination
		switch {
		case c < 0: // seen before, not listed now: pending
			s = t.seen[i]
			if s.MissingSince.IsZero() {
				s.MissingSince = answered
			}
			s.Status, s.FailureCode = "", ""
			i++
		case c > 0: // listed for the first time
			s.Destination = Destination{Region: listed[j].Region, RegistryID: listed[j].RegistryID}
			s.listed(listed[j], sent, answered)
			j++
		default:
			s = t.seen[i]
			s.listed(listed[j], sent, answered)
			i++
			j++
		}
		next = append(next, s)
	}
	t.seen, t.next = next, t.seen
}

// listed records that an answer listed the destination with l's status.
func (s *seenDestination) listed(l Destination, sent, answered time.Time) {
	s.Status, s.FailureCode, s.MissingSince = l.Status, l.FailureCode, time.Time{}
	switch l.Status {
	case types.ReplicationStatusComplete:
		if s.FirstSeenComplete.IsZero() {
			s.FirstSeenComplete = answered
		}
	case types.ReplicationStatusFailed:
		if s.firstFailed.IsZero() {
			s.firstFailed = answered
		}
	default:
		// Not complete at some instant after sent: completion comes later,
		// whatever an earlier answer said.
		s.LastSeenPending, s.FirstSeenComplete, s.firstFailed = sent, time.Time{}, time.Time{}
	}
}

// destinations returns the report's view: every destination seen, with Extra
// set for those outside the expectations, and a placeholder for each
// expected destination that no answer has listed, sorted.
func (t *tracker) destinations() []Destination {
	ds := make([]Destination, 0, len(t.seen)+len(t.expected))
	for _, s := range t.seen {
		d := s.Destination
		d.Extra = len(t.expected) > 0 && !slices.ContainsFunc(t.expected, func(e Destination) bool { return e.matches(d) })
		ds = append(ds, d)
	}
	placeholders := false
	for _, e := range t.expected {
		if !slices.ContainsFunc(t.seen, func(s seenDestination) bool { return e.matches(s.Destination) }) {
			ds = append(ds, e)
			placeholders = true
		}
	}
	if placeholders {
		sortDestinations(ds)
	}
	return ds
}

// failedAt returns when the destination d was first seen FAILED, if it was.
func (t *tracker) failedAt(d Destination) time.Time {
	i, ok := slices.BinarySearchFunc(t.seen, d, func(s seenDestination, d Destination) int {
		return compareDestinations(s.Destination, d)
	})
	if !ok {
		return time.Time{}
	}
	return t.seen[i].firstFailed
}

// matches reports whether the listed destination d is the expected e: the
// same region, and the same registry unless e names none.
func (e Destination) matches(d Destination) bool {
	return d.Region == e.Region && (e.RegistryID == "" || d.RegistryID == e.RegistryID)
}
