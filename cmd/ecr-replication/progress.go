package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// Bounds of the progress output, whatever the service answers.
const (
	maxRows       = 20 // lines of the terminal block; beyond, only the counts
	maxPlainLines = 50 // plain lines per update; beyond, a count
)

// progress shows a wait's progress on stderr. Its rows are the destinations
// of the one image of wait --repository, or the images of a set. On a
// terminal it keeps a block redrawn in place twice a second: a heading with
// the counts and, up to maxRows rows, one line per row; otherwise it prints
// a plain line whenever a row changes, so that CI logs stay readable. Every
// value is made safe for the terminal and capped. A nil *progress shows
// nothing (--quiet).
type progress struct {
	w   io.Writer
	tty bool

	mu    sync.Mutex
	lines int           // lines of the terminal block as last drawn
	stop  chan struct{} // closed to stop the redrawing (terminal only)
	wg    sync.WaitGroup

	names  []string // the images, safe to print
	single bool     // the rows are the destinations of the one image
	start  time.Time

	reports []*ecrreplication.Report // each image's last report; nil before its first answer
	final   []state                  // each image's final state, once the wait has ended
	shown   map[string]string        // plain mode: the text last printed per row
	closed  bool
}

// firstAnswer is the text of an image not answered yet; plain progress does
// not print it.
const firstAnswer = "waiting for the first answer"

// state is what a row shows: a mark (✓ complete, ✗ failed or stopped,
// … pending, · not expected) and a text.
type state struct{ mark, text string }

// row is one line of the progress.
type row struct {
	key string
	state
	label string        // the image, for a set
	clock time.Duration // how long the image's wait took, for a set
}

// newProgress starts showing the progress of the wait for the images named
// names on w. On a terminal a goroutine redraws the block twice a second
// until finish.
func newProgress(w io.Writer, tty bool, names []string, single bool) *progress {
	p := &progress{
		w: w, tty: tty, names: names, single: single, start: time.Now(), stop: make(chan struct{}),
		reports: make([]*ecrreplication.Report, len(names)), final: make([]state, len(names)), shown: map[string]string{},
	}
	if tty {
		p.wg.Go(func() {
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-p.stop:
					return
				case <-t.C:
					p.mu.Lock()
					p.redraw()
					p.mu.Unlock()
				}
			}
		})
	}
	return p
}

// update shows the reports of the images, in input order (nil for an image
// not answered yet). It is WaitAllOptions.OnProgress.
func (p *progress) update(reports []*ecrreplication.Report) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, rep := range reports {
		if rep != nil {
			p.reports[i] = rep
		}
	}
	p.refresh()
}

// finish stops the redrawing and shows how each image's wait ended. Notes
// after it are plain lines.
func (p *progress) finish(results []result) {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, r := range results {
		p.reports[i], p.final[i] = r.report, finalState(r)
	}
	p.refresh()
	p.closed = true
}

// ended shows at once that image i's wait has ended, in state st, before
// the set ends.
func (p *progress) ended(i int, st state) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.final[i] = st
		p.refresh()
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
	if !p.tty || p.closed {
		p.plain(fmt.Sprintf(format, v...))
		return
	}
	p.draw(safetext.Line(fmt.Sprintf(format, v...), maxLine) + "\n")
	p.lines = 0
	p.redraw()
}

// refresh redraws the block, or prints the rows that changed. p.mu must be
// held.
func (p *progress) refresh() {
	if p.tty {
		p.redraw()
		return
	}
	printed, more := 0, 0
	for _, r := range p.rows(time.Since(p.start)) {
		text := strings.TrimPrefix(r.label+"  "+r.text, "  ")
		switch {
		case p.shown[r.key] == text || r.text == firstAnswer:
			continue
		case printed < maxPlainLines:
			p.plain(text)
			printed++
		default:
			more++
		}
		p.shown[r.key] = text
	}
	if more > 0 {
		p.plain(fmt.Sprintf("… and %d more changes", more))
	}
}

// plain prints one plain line with the time since the start. p.mu must be
// held.
func (p *progress) plain(text string) {
	fmt.Fprintf(p.w, "[%5.1fs] %s\n", time.Since(p.start).Seconds(), safetext.Line(text, maxLine))
}

// rows returns the rows to show, now after the start.
func (p *progress) rows(now time.Duration) []row {
	if p.single {
		rep := p.reports[0]
		switch {
		case rep == nil:
			return nil
		case len(rep.Destinations) == 0 && p.final[0].text == "":
			return []row{{key: "none", state: state{"…", p.names[0] + ": the service lists no destination yet"}}}
		}
		rows := make([]row, len(rep.Destinations))
		for i, d := range rep.Destinations {
			rows[i] = row{key: d.Region + "\x00" + d.RegistryID, state: destinationState(d, rep.Since)}
		}
		return rows
	}
	rows := make([]row, len(p.names))
	for i, rep := range p.reports {
		r := row{key: strconv.Itoa(i), state: state{"…", firstAnswer}, label: p.names[i], clock: now}
		switch {
		case p.final[i].text != "":
			r.state = p.final[i]
		case rep != nil:
			r.state = reportState(rep)
		}
		if rep != nil && r.mark != "…" {
			r.clock = rep.Elapsed
		}
		rows[i] = r
	}
	return rows
}

// destinationState is a destination's row: its status, and how long
// replication took once it is COMPLETE, such as
// "us-west-2 123456789012 COMPLETE after 12–15 s".
func destinationState(d ecrreplication.Destination, since time.Time) state {
	s := state{"…", d.String()}
	if t := replicationTime(d, since); t != "" {
		s.text += " after " + t
	}
	switch {
	case d.Extra:
		s.mark, s.text = "·", s.text+" (not expected)"
	case d.Status == types.ReplicationStatusComplete:
		s.mark = "✓"
	case d.Status == types.ReplicationStatusFailed:
		s.mark = "✗"
	}
	return s
}

// reportState describes an image from a report: FAILED with the failed
// destinations, COMPLETE, or how many destinations are complete.
func reportState(rep *ecrreplication.Report) state {
	if failed := rep.Failed(); len(failed) > 0 {
		parts := make([]string, 0, min(len(failed), 4))
		for i, d := range failed {
			if i == cap(parts) {
				parts = append(parts, fmt.Sprintf("and %d more", len(failed)-i))
				break
			}
			parts = append(parts, strings.TrimSuffix(fmt.Sprintf("%s %s: %s", cell(d.Region), cell(d.RegistryID), cell(d.FailureCode)), ": "))
		}
		return state{"✗", "FAILED " + strings.Join(parts, ", ")}
	}
	expected, complete := 0, 0
	for _, d := range rep.Destinations {
		if !d.Extra {
			expected++
			if d.Status == types.ReplicationStatusComplete {
				complete++
			}
		}
	}
	switch {
	case expected == 0:
		return state{"…", "the service lists no destination yet"}
	case complete == expected:
		return state{"✓", fmt.Sprintf("COMPLETE (%d destinations)", complete)}
	}
	return state{"…", fmt.Sprintf("%d/%d destinations complete", complete, expected)}
}

// finalState describes how an image's wait ended.
func finalState(r result) state {
	switch r.errCode {
	case "", codeReplicationFailed:
		return reportState(r.report)
	case codeNoReplicationRule:
		return state{"✗", "NO REPLICATION RULE matches the repository"}
	case codeImageNotFound, codeRepositoryNotFound:
		return state{"✗", notFoundText(r.err)}
	case codeTimeout:
		switch rep := r.report; {
		case rep.Attempts == 0:
			return state{"✗", "TIMED OUT before the first poll"}
		case rep.Answers == 0:
			return state{"✗", "TIMED OUT, no answer"}
		default:
			return state{"✗", "TIMED OUT, " + reportState(rep).text}
		}
	case codeInterrupted:
		return state{"✗", "INTERRUPTED"}
	case codeCancelled:
		return state{"✗", "CANCELLED (--fail-fast)"}
	}
	return state{"✗", "ERROR (" + r.errCode + ")"}
}

// cell is a value the service sent, safe to print and capped.
func cell(s string) string { return safetext.Line(s, 64) }

// redraw draws the terminal block: a heading with the counts and, for up to
// maxRows rows, one line per row. p.mu must be held.
func (p *progress) redraw() {
	now := time.Since(p.start)
	rows := p.rows(now)
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.mark]++
	}
	what := fmt.Sprintf("%d images", len(p.names))
	if p.single {
		what = p.names[0]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Waiting for %s  %s  %d complete, %d failed, %d waiting\n", what, formatElapsed(now), counts["✓"], counts["✗"], counts["…"])
	if len(rows) <= maxRows {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, r := range rows {
			line := "  " + r.mark + " " + safetext.Line(r.text, maxCell)
			if !p.single {
				line = fmt.Sprintf("  %s %s\t%s\t%s", r.mark, r.label, safetext.Line(r.text, maxCell), formatElapsed(r.clock))
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
	}
	p.draw(b.String())
}

// The terminal's control sequences: cursor up n lines, and clear the line.
const (
	ansiUp        = "\x1b[%dA"
	ansiClearLine = "\r\x1b[2K"
)

// draw replaces the block on the terminal with text (lines ending in
// newlines), clearing lines left over from a taller block. p.mu must be
// held.
func (p *progress) draw(text string) {
	var out strings.Builder
	if p.lines > 0 {
		fmt.Fprintf(&out, ansiUp, p.lines)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for _, l := range lines {
		out.WriteString(ansiClearLine + l + "\n")
	}
	for i := len(lines); i < p.lines; i++ {
		out.WriteString(ansiClearLine + "\n")
	}
	if extra := p.lines - len(lines); extra > 0 {
		fmt.Fprintf(&out, ansiUp, extra)
	}
	io.WriteString(p.w, out.String())
	p.lines = len(lines)
}

// formatElapsed formats a duration as 4.2s or 2m05s.
func formatElapsed(d time.Duration) string {
	if d < time.Minute-50*time.Millisecond {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	s := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%dm%02ds", s/60, s%60)
}
