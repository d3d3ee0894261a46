package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// Bounds of the progress, whatever the service answers: the rows of the
// terminal block (beyond, only the counts), the plain lines of an update.
const (
	maxRows       = 20
	maxPlainLines = 50
	waitingText   = "waiting for the first answer" // not printed as a plain line
)

// progress shows a wait's progress on stderr, the destinations of one image
// or the images of a set: on a terminal a block redrawn in place twice a
// second, otherwise a plain line whenever a row changes. A nil *progress
// shows nothing (--quiet).
type progress struct {
	w      io.Writer
	tty    bool
	title  string
	start  time.Time
	stop   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	rows   []row
	shown  map[string]string // plain: the text last printed per row
	lines  int               // terminal: the block's lines as drawn
	closed bool
}

// row is a line of the progress: the outcome table's mark, the image (for a
// set), a text, and the time the image took once done.
type row struct {
	key, mark, label, text string
	clock                  time.Duration
	done                   bool
}

// progressRows are the rows of results: the destinations of the one image,
// or a row per image of a set, with the words of the summaries.
func progressRows(results []result, single bool) (rows []row) {
	if r := results[0]; single {
		img := r.doc()
		if len(img.Destinations) == 0 && !r.done && !r.firstAnswer.IsZero() {
			rows = append(rows, row{key: "none", mark: outcomes[inProgress].mark, text: r.name + ": the service lists no destination yet"})
		}
		for _, d := range img.Destinations {
			rw := row{key: d.Region + "\x00" + d.RegistryID, mark: outcomes[inProgress].mark, text: destinationLabel(d) + " " + statusText(d)}
			switch {
			case d.Extra:
				rw.mark = "·"
			case d.Status == statusComplete:
				rw.mark = outcomes[complete].mark
			case d.Status == statusFailed:
				rw.mark = outcomes[failed].mark
			}
			if t := replicationText(d, img.Since); t == beforeWait {
				rw.text = destinationLabel(d) + " " + t
			} else if t != "" {
				rw.text += " after " + t
			}
			rows = append(rows, rw)
		}
		return rows
	}
	for i, r := range results {
		img := r.doc()
		rw := row{key: strconv.Itoa(i), mark: outcomes[inProgress].mark, label: r.name, text: waitingText}
		done, all := len(filter(img, func(d destinationDoc) bool { return d.Status == statusComplete })), len(filter(img, nil))
		switch {
		case r.done && r.outcome != complete:
			rw.mark, rw.text, rw.clock, rw.done = r.outcome.info().mark, reasonOf(img), r.report.Elapsed, true
		case r.done || done == all && all > 0:
			rw.mark, rw.text, rw.clock, rw.done = outcomes[complete].mark, "replicated to "+plural(len(img.Destinations), "destination"), r.report.Elapsed, r.done
		case !r.firstAnswer.IsZero():
			rw.text = fmt.Sprintf("%d/%d destinations complete", done, all)
		}
		rows = append(rows, rw)
	}
	return rows
}

// newProgress starts showing the progress of the wait for title on w; on a
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

// update shows rows: in the block, or as plain lines for those that changed.
func (p *progress) update(rows []row) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if p.rows = rows; p.tty {
		p.redraw()
		return
	}
	printed := 0
	for _, r := range rows {
		text := strings.TrimPrefix(r.label+"  "+r.text, "  ")
		if p.shown[r.key] == text || r.text == waitingText {
			continue
		}
		if printed++; printed <= maxPlainLines {
			p.plain(text)
		}
		p.shown[r.key] = text
	}
	if printed > maxPlainLines {
		p.plain(fmt.Sprintf("… and %d more changes", printed-maxPlainLines))
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

// note prints a message, such as a transient error ridden out, above the
// block or as a plain line.
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

// plain prints a line after the time since the start; p.mu is held.
func (p *progress) plain(text string) {
	fmt.Fprintf(p.w, "[%5.1fs] %s\n", time.Since(p.start).Seconds(), safetext.Line(text, maxLine))
}

// redraw draws the block: a heading with the counts and, up to maxRows
// rows, a line per row; p.mu is held.
func (p *progress) redraw() {
	now := time.Since(p.start)
	counts := map[string]int{}
	for _, r := range p.rows {
		counts[r.mark]++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Waiting for %s  %s  %d complete, %d failed, %d waiting\n", p.title, human(now),
		counts[outcomes[complete].mark], counts[outcomes[failed].mark], counts[outcomes[inProgress].mark])
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	rows := p.rows
	if len(rows) > maxRows {
		rows = nil
	}
	for _, r := range rows {
		clock := now
		if r.done {
			clock = r.clock
		}
		if r.label == "" {
			fmt.Fprintf(tw, "  %s %s\n", r.mark, safetext.Line(r.text, maxCell))
		} else {
			fmt.Fprintf(tw, "  %s %s\t%s\t%s\n", r.mark, safetext.Line(r.label, maxCell), safetext.Line(r.text, maxCell), human(clock))
		}
	}
	tw.Flush()
	p.draw(b.String())
}

// draw replaces the block on the terminal with text (lines ending in
// newlines): cursor up over the old block, each line cleared ("\r\x1b[2K"),
// lines left over from a taller block cleared; p.mu is held.
func (p *progress) draw(text string) {
	var out strings.Builder
	if p.lines > 0 {
		fmt.Fprintf(&out, "\x1b[%dA", p.lines)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := range max(len(lines), p.lines) {
		out.WriteString("\r\x1b[2K")
		if i < len(lines) {
			out.WriteString(lines[i])
		}
		out.WriteString("\n")
	}
	if extra := p.lines - len(lines); extra > 0 {
		fmt.Fprintf(&out, "\x1b[%dA", extra)
	}
	io.WriteString(p.w, out.String())
	p.lines = len(lines)
}
