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

// maxImageLines is the most images the terminal block shows one line each;
// beyond that it shows only the counts.
const maxImageLines = 20

// imageState is what the set's progress knows of one image.
type imageState int

const (
	stateWaiting imageState = iota
	stateComplete
	stateFailed // FAILED destination, not found, timed out, interrupted, ...
)

// setProgress shows the progress of a wait for several images on stderr.
// On a terminal it keeps a block redrawn in place: a heading with the
// counts and, for up to maxImageLines images, one line per image. Otherwise
// it prints a plain line whenever an image's state changes. A nil
// *setProgress shows nothing (--quiet).
type setProgress struct {
	block
	names []string
	start time.Time

	text   []string        // each image's state, as shown
	state  []imageState    // each image's state, for the counts and symbols
	ended  []time.Duration // when each image reached its final state; 0 while waiting
	closed bool
}

// newSetProgress starts showing progress for the images named names on w.
// On a terminal a goroutine redraws the elapsed times twice a second until
// finish is called.
func newSetProgress(w io.Writer, tty bool, names []string) *setProgress {
	n := len(names)
	p := &setProgress{
		block: block{w: w, tty: tty}, names: names, start: time.Now(),
		text: make([]string, n), state: make([]imageState, n), ended: make([]time.Duration, n),
	}
	for i := range p.text {
		p.text[i] = "waiting for the first answer"
	}
	p.startTicking(p.redraw)
	return p
}

// update shows the reports of the set, in input order (nil for an image not
// answered yet). It is WaitAllOptions.OnProgress.
func (p *setProgress) update(reports []*ecrreplication.Report) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, rep := range reports {
		if rep == nil {
			continue
		}
		text, state := reportState(rep)
		p.set(i, text, state)
	}
	if p.tty {
		p.redraw()
	}
}

// reportState describes an image from its last report: FAILED with the
// failed destinations, COMPLETE, or how many destinations are complete.
func reportState(rep *ecrreplication.Report) (string, imageState) {
	if failed := rep.Failed(); len(failed) > 0 {
		parts := make([]string, len(failed))
		for i, d := range failed {
			parts[i] = d.Region + " " + d.RegistryID
			if d.FailureCode != "" {
				parts[i] += ": " + d.FailureCode
			}
		}
		return "FAILED " + strings.Join(parts, ", "), stateFailed
	}
	if len(rep.Destinations) == 0 {
		return "the service lists no destination yet", stateWaiting
	}
	complete := 0
	for _, d := range rep.Destinations {
		if d.Status == types.ReplicationStatusComplete {
			complete++
		}
	}
	if complete == len(rep.Destinations) {
		return fmt.Sprintf("COMPLETE (%d destinations)", complete), stateComplete
	}
	return fmt.Sprintf("%d/%d destinations complete", complete, len(rep.Destinations)), stateWaiting
}

// set records image i's state and, in plain mode, prints it if it changed.
// p.mu must be held.
func (p *setProgress) set(i int, text string, state imageState) {
	elapsed := time.Since(p.start)
	if state != stateWaiting && p.ended[i] == 0 {
		p.ended[i] = max(elapsed, time.Nanosecond)
	}
	if p.text[i] == text && p.state[i] == state {
		return
	}
	p.text[i], p.state[i] = text, state
	if !p.tty {
		fmt.Fprintf(p.w, "[%5.1fs] %s  %s\n", elapsed.Seconds(), p.names[i], text)
	}
}

// stopped shows that image i's wait has ended without success, as text says.
func (p *setProgress) stopped(i int, text string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.set(i, text, stateFailed)
	if p.tty {
		p.redraw()
	}
}

// note prints a message, such as a transient error the set rides out, above
// the terminal block or as a plain line.
func (p *setProgress) note(format string, v ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	msg := fmt.Sprintf(format, v...)
	if !p.tty || p.closed {
		fmt.Fprintf(p.w, "[%5.1fs] %s\n", time.Since(p.start).Seconds(), msg)
		return
	}
	p.moveUp()
	fmt.Fprintf(p.w, "%s%s\n", ansiClearLine, msg)
	p.lines = 0
	p.redraw()
}

// finish stops the redrawing, records each image's final state from the
// results (images that ended without a state change, such as one not
// found, are shown now) and draws the final state once more.
func (p *setProgress) finish(results []result) {
	if p == nil {
		return
	}
	p.halt()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, r := range results {
		text, state := finalState(r)
		if state == stateFailed && p.state[i] == stateFailed {
			continue // a FAILED destination, already shown
		}
		p.set(i, text, state)
	}
	if p.tty {
		p.redraw()
	}
	p.closed = true
}

// finalState describes how an image's wait ended.
func finalState(r result) (string, imageState) {
	if r.exitCode == exitOK {
		n := 0
		if r.report != nil {
			n = len(r.report.Destinations)
		}
		return fmt.Sprintf("COMPLETE (%d destinations)", n), stateComplete
	}
	var text string
	switch r.errCode {
	case codeReplicationFailed:
		text, _ = reportState(r.report)
	case codeNoReplicationRule:
		text = "NO REPLICATION RULE matches the repository"
	case codeImageNotFound, codeRepositoryNotFound:
		text = notFoundText(r.err)
	case codeTimeout:
		text = "TIMED OUT"
		if r.report != nil && len(r.report.Destinations) > 0 {
			pending, _ := reportState(r.report)
			text += ", " + pending
		}
	case codeInterrupted:
		text = "INTERRUPTED"
	case codeCancelled:
		text = "CANCELLED (--fail-fast)"
	default:
		text = "ERROR (" + r.errCode + ")"
	}
	return text, stateFailed
}

// redraw draws the terminal block. p.mu must be held.
func (p *setProgress) redraw() {
	var complete, failed int
	for _, s := range p.state {
		switch s {
		case stateComplete:
			complete++
		case stateFailed:
			failed++
		}
	}
	now := time.Since(p.start)
	var b strings.Builder
	fmt.Fprintf(&b, "Waiting for %d images  %s  %d complete, %d failed, %d waiting\n",
		len(p.names), formatElapsed(now), complete, failed, len(p.names)-complete-failed)
	if len(p.names) <= maxImageLines {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for i, name := range p.names {
			el := p.ended[i]
			if el == 0 {
				el = now
			}
			fmt.Fprintf(tw, "  %s %s\t%s\t%s\n", stateSymbol(p.state[i]), name, p.text[i], formatElapsed(el))
		}
		tw.Flush()
	}
	p.draw(b.String())
}

// stateSymbol marks an image's state in the terminal block.
func stateSymbol(s imageState) string {
	switch s {
	case stateComplete:
		return "✓"
	case stateFailed:
		return "✗"
	default:
		return "…"
	}
}
