package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
)

// progress shows a wait's progress on stderr. On a terminal it keeps one
// line per destination, redrawn in place with its status and elapsed time;
// otherwise it prints a plain line whenever a destination's status changes,
// so that CI logs stay readable. A nil *progress shows nothing (--quiet).
type progress struct {
	block
	image string
	start time.Time

	dests []ecrreplication.Destination
	// final records when each destination first reached COMPLETE or FAILED.
	final map[string]time.Duration
	// seen holds the last status printed per destination (plain mode).
	seen map[string]string
}

// newProgress starts showing progress for image on w. On a terminal a
// goroutine redraws the elapsed times twice a second until stop is called.
func newProgress(w io.Writer, tty bool, image string) *progress {
	p := &progress{
		block: block{w: w, tty: tty}, image: image, start: time.Now(),
		final: map[string]time.Duration{}, seen: map[string]string{},
	}
	p.startTicking(p.redraw)
	return p
}

// key identifies a destination.
func key(d ecrreplication.Destination) string { return d.Region + "/" + d.RegistryID }

// update shows a new report. It is the waiter's OnProgress.
func (p *progress) update(r ecrreplication.Report) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := time.Since(p.start)
	p.dests = r.Destinations
	for _, d := range r.Destinations {
		if _, ok := p.final[key(d)]; !ok && (d.Status == types.ReplicationStatusComplete || d.Status == types.ReplicationStatusFailed) {
			p.final[key(d)] = elapsed
		}
	}
	if p.tty {
		p.redraw()
		return
	}
	if len(p.seen) == 0 && len(r.Destinations) == 0 {
		p.seen[""] = ""
		fmt.Fprintf(p.w, "[%5.1fs] %s: the service lists no destination yet\n", elapsed.Seconds(), p.image)
	}
	for _, d := range r.Destinations {
		s := d.String()
		if p.seen[key(d)] == s {
			continue
		}
		p.seen[key(d)] = s
		fmt.Fprintf(p.w, "[%5.1fs] %s\n", elapsed.Seconds(), s)
	}
}

// note prints a message, such as a transient error the wait rides out,
// above the terminal block or as a plain line.
func (p *progress) note(format string, v ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	msg := fmt.Sprintf(format, v...)
	if !p.tty {
		fmt.Fprintf(p.w, "[%5.1fs] %s\n", time.Since(p.start).Seconds(), msg)
		return
	}
	p.moveUp()
	fmt.Fprintf(p.w, "%s%s\n", ansiClearLine, msg)
	p.lines = 0
	p.redraw()
}

// redraw draws the terminal block: a heading and one line per destination.
// p.mu must be held.
func (p *progress) redraw() {
	var b strings.Builder
	now := time.Since(p.start)
	fmt.Fprintf(&b, "Waiting for %s  %s\n", p.image, formatElapsed(now))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, d := range p.dests {
		el, ok := p.final[key(d)]
		if !ok {
			el = now
		}
		code := ""
		if d.FailureCode != "" {
			code = " " + d.FailureCode
		}
		fmt.Fprintf(tw, "  %s %s\t%s\t%s%s\t%s\n", symbol(d), d.Region, d.RegistryID, statusText(d), code, formatElapsed(el))
	}
	tw.Flush()
	p.draw(b.String())
}

// symbol marks a destination's state in the terminal block.
func symbol(d ecrreplication.Destination) string {
	switch d.Status {
	case types.ReplicationStatusComplete:
		return "✓"
	case types.ReplicationStatusFailed:
		return "✗"
	default:
		return "…"
	}
}

// formatElapsed formats a duration as 4.2s or 2m05s.
func formatElapsed(d time.Duration) string {
	if d < time.Minute-50*time.Millisecond {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	s := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%dm%02ds", s/60, s%60)
}

// finish stops the redrawing and draws the final state once more.
func (p *progress) finish() {
	if p == nil {
		return
	}
	if p.tty {
		p.halt()
		p.mu.Lock()
		p.redraw()
		p.mu.Unlock()
	}
}
