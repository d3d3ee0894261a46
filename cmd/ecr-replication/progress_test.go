package main

import (
	"testing"
	"time"
)

// Elapsed times have tenths under a minute, then minutes and seconds.
func TestFormatElapsed(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "0.0s",
		4200 * time.Millisecond:               "4.2s",
		59*time.Second + 940*time.Millisecond: "59.9s",
		59*time.Second + 970*time.Millisecond: "1m00s",
		2*time.Minute + 5*time.Second:         "2m05s",
		31 * time.Minute:                      "31m00s",
	} {
		if got := formatElapsed(d); got != want {
			t.Errorf("formatElapsed(%v) = %q, want %q", d, got, want)
		}
	}
}
