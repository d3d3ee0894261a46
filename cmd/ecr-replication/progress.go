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

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// Bounds of the progress output, whatever the service answers.
const (
	maxRows       = 20 // lines of the terminal block; beyond, only the counts
	maxPlainLines = 50 // plain lines per update; beyond, a count
)

// progress shows a wait's progress on stderr: the destinations of one
// image, or the images of a set. On a terminal it keeps a block redrawn in
// place twice a second, a heading with the counts and up to maxRows rows;
// otherwise it prints a plain line whenever a row changes, so that CI logs
// stay readable. A nil *progress shows nothing (--quiet).
type progress struct {
	w     io.Writer
	tty   bool
	title string // what is waited for, safe to print
	start time.Time
	stop  chan struct{}
	wg    sync.WaitGroup

	mu     sync.Mutex
	rows   []row
	shown  map[string]string // plain: the text last printed per row
	lines  int               // terminal: the lines of the block as drawn
	closed bool
}

// row is one line of the progress: a mark from the outcome table, the
// image (for a set), a text, and how long the image took once it is done.
type row struct {
	key, mark, label, text string
	clock                  time.Duration
	done                   bool
}

// waitingText is the text of an image not answered yet; plain progress
// does not print it.
const waitingText = "waiting for the first answer"

// progressRows are the rows that show results: the destinations of the one
// image, or one row per image of a set.
func progressRows(results []result, single bool) []row {
	var rows []row
	if single {
		r := results[0]
		img := r.doc()
		switch {
		case r.firstAnswer.IsZero():
		case len(img.Destinations) == 0 && !r.done:
			rows = append(rows, row{key: "none", mark: outcomes[inProgress].mark, text: r.name + ": the service lists no destination yet"})
		}
		for _, d := range img.Destinations {
			mark := outcomes[inProgress].mark
			switch {
			case d.Extra:
				mark = "·"
			case d.Status == string(types.ReplicationStatusComplete):
				mark = outcomes[complete].mark
			case d.Status == string(types.ReplicationStatusFailed):
				mark = outcomes[failed].mark
			}
			text := destinationLabel(d) + " " + statusText(d)
			if t := replicationText(d, img.Since); t == beforeWait {
				text = destinationLabel(d) + " " + t
			} else if t != "" {
				text += " after " + t
			}
			rows = append(rows, row{key: d.Region + "\x00" + d.RegistryID, mark: mark, text: text})
		}
		return rows
	}
	for i, r := range results {
		rw := row{key: strconv.Itoa(i), mark: outcomes[inProgress].mark, label: r.name, text: waitingText}
		switch img := r.doc(); {
		case r.done:
			rw.mark, rw.text, rw.clock, rw.done = r.outcome.info().mark, "replicated to "+plural(len(img.Destinations), "destination"), r.report.Elapsed, true
			if r.outcome != complete {
				rw.text = reasonOf(img)
			}
		case !r.firstAnswer.IsZero():
			done, expected := len(filter(img, func(d destinationDoc) bool { return d.Status == complete_ })), len(filter(img, nil))
			rw.text = fmt.Sprintf("%d/%d destinations complete", done, expected)
			if done == expected && done > 0 {
				rw.text = "replicated to " + plural(len(img.Destinations), "destination")
			}
		}
		rows = append(rows, rw)
	}
	return rows
}

// newProgress starts showing the progress of the wait for title on w. On a
// terminal a goroutine redraws the block twice a second until finish.
func newProgress(w io.Writer, tty bool, title string) *progress {
	p := &progress{w: w, tty: tty, title: safetext.Line(title, maxCell), start: time.Now(), stop: make(chan struct{}), shown: map[string]string{}}
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

// update shows rows: on a terminal in the block, otherwise as plain lines
// for the rows that changed.
func (p *progress) update(rows []row) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.rows = rows
	if p.tty {
		p.redraw()
		return
	}
	printed, more := 0, 0
	for _, r := range rows {
		text := strings.TrimPrefix(r.label+"  "+r.text, "  ")
		switch {
		case p.shown[r.key] == text || r.text == waitingText:
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

// finish stops the redrawing; notes after it are plain lines.
func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		p.redraw()
	}
	p.closed = true
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

// plain prints one line with the time since the start. p.mu must be held.
func (p *progress) plain(text string) {
	fmt.Fprintf(p.w, "[%5.1fs] %s\n", time.Since(p.start).Seconds(), safetext.Line(text, maxLine))
}

// redraw draws the terminal block: a heading with the counts and, for up to
// maxRows rows, one line per row. p.mu must be held.
func (p *progress) redraw() {
	now := time.Since(p.start)
	counts := map[string]int{}
	for _, r := range p.rows {
		counts[r.mark]++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Waiting for %s  %s  %d complete, %d failed, %d waiting\n", p.title, human(now),
		counts[outcomes[complete].mark], counts[outcomes[failed].mark], counts[outcomes[inProgress].mark])
	if len(p.rows) <= maxRows {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, r := range p.rows {
			line := "  " + r.mark + " " + safetext.Line(r.text, maxCell)
			if r.label != "" {
				clock := now
				if r.done {
					clock = r.clock
				}
				line = fmt.Sprintf("  %s %s\t%s\t%s", r.mark, safetext.Line(r.label, maxCell), safetext.Line(r.text, maxCell), human(clock))
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
