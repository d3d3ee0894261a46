package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Progress prints a line per row whose text changed, at most
// maxProgressLines and a count of the rest, each line made safe; a row
// without text, or unchanged, prints nothing.
func TestProgressLines(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, start: time.Now(), shown: map[string]string{}}
	var rows []row
	for i := range maxProgressLines + 10 {
		rows = append(rows, row{fmt.Sprint(i), fmt.Sprintf("image%d\x1b[2J\nFORGED", i)})
	}
	p.update(append(rows, row{"waiting", ""}))
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != maxProgressLines+1 || !strings.HasSuffix(lines[0], "] image0\\x1b[2J\\nFORGED") ||
		!strings.HasSuffix(lines[maxProgressLines], "] … and 10 more changes") {
		t.Errorf("%d lines, want %d, the first made safe and the last a count:\n%s", len(lines), maxProgressLines+1, b.String())
	}
	b.Reset()
	p.update(rows)
	rows[3].text = "image3 done"
	p.update(rows)
	if !strings.HasPrefix(b.String(), "[") || !strings.HasSuffix(b.String(), "] image3 done\n") || strings.Count(b.String(), "\n") != 1 {
		t.Errorf("after one change, progress printed %q, want the one line", b.String())
	}
}

// Times for people: one decimal under 10 s, whole seconds to 120 s, then
// minutes and seconds.
func TestHuman(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second:                           "0.0 s",
		0:                                      "0.0 s",
		40 * time.Millisecond:                  "0.0 s",
		4200 * time.Millisecond:                "4.2 s",
		9940 * time.Millisecond:                "9.9 s",
		9960 * time.Millisecond:                "10 s",
		59*time.Second + 600*time.Millisecond:  "60 s",
		119 * time.Second:                      "119 s",
		119*time.Second + 600*time.Millisecond: "2 min",
		125 * time.Second:                      "2 min 5 s",
		30 * time.Minute:                       "30 min",
		65*time.Minute + 3*time.Second:         "65 min 3 s",
	} {
		if got := human(d); got != want {
			t.Errorf("human(%v) = %q, want %q", d, got, want)
		}
	}
}

// Replication times are an interval, floor to ceiling, in tenths below
// 10 s; only the upper bound when the lower one is not known; "complete
// before the wait" for a destination COMPLETE at the first poll of a wait
// that counts from its start (never "≤ 0.1 s"); nothing when it was not
// seen COMPLETE.
func TestReplicationText(t *testing.T) {
	start := &sinceDoc{Source: "wait-start"}
	pushed := &sinceDoc{Source: "push"}
	for _, tc := range []struct {
		lo, hi    float64 // -1: not seen COMPLETE
		firstPoll bool
		since     *sinceDoc
		want      string
	}{
		{12, 15, false, start, "12–15 s"},
		{12.9, 15.1, false, start, "12–16 s"},
		{1.23, 1.87, false, start, "1.2–1.9 s"},
		{0, 15, false, start, "≤ 15 s"},
		{0, 0.8, false, pushed, "≤ 0.8 s"},
		{9, 9.95, false, start, "9.0–10 s"},
		{0, 0.1, true, start, "complete before the wait"},
		{0, 12, true, pushed, "≤ 12 s"},
		{100, 130, false, start, "100 s–2 min 10 s"},
		{-1, -1, false, start, ""},
	} {
		d := destinationDoc{Status: "COMPLETE", CompleteAtFirstPoll: tc.firstPoll}
		if tc.hi >= 0 {
			d.ReplicationSeconds = &intervalDoc{Min: tc.lo, Max: tc.hi}
		}
		if got := replicationText(d, tc.since); got != tc.want {
			t.Errorf("%v–%v s (first poll %t, since %s): %q, want %q", tc.lo, tc.hi, tc.firstPoll, tc.since.Source, got, tc.want)
		}
	}
}
