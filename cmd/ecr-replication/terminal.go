package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// ansiUp moves the cursor up n lines; ansiClearLine clears the line.
const (
	ansiUp        = "\x1b[%dA"
	ansiClearLine = "\r\x1b[2K"
)

// block is the part of a progress display shared by one image and a set: the
// writer, whether it is a terminal, and on a terminal a block of lines
// redrawn in place twice a second until halt.
type block struct {
	w   io.Writer
	tty bool

	mu    sync.Mutex
	lines int // lines of the block as last drawn (terminal only)

	stop chan struct{}
	done chan struct{}
}

// startTicking calls redraw, with mu held, twice a second until halt; on a
// terminal only.
func (b *block) startTicking(redraw func()) {
	if !b.tty {
		return
	}
	b.stop, b.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(b.done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				b.mu.Lock()
				redraw()
				b.mu.Unlock()
			}
		}
	}()
}

// halt stops the redrawing and waits for its goroutine to end.
func (b *block) halt() {
	if b.stop != nil {
		close(b.stop)
		<-b.done
		b.stop = nil
	}
}

// moveUp puts the cursor on the first line of the block.
func (b *block) moveUp() {
	if b.lines > 0 {
		fmt.Fprintf(b.w, ansiUp, b.lines)
	}
}

// draw replaces the block on the terminal with text (lines ending in
// newlines), clearing lines left over from a taller block. b.mu must be held.
func (b *block) draw(text string) {
	b.moveUp()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var out strings.Builder
	for _, l := range lines {
		out.WriteString(ansiClearLine)
		out.WriteString(l)
		out.WriteByte('\n')
	}
	for i := len(lines); i < b.lines; i++ {
		out.WriteString(ansiClearLine + "\n")
	}
	if extra := b.lines - len(lines); extra > 0 {
		fmt.Fprintf(&out, ansiUp, extra)
	}
	io.WriteString(b.w, out.String())
	b.lines = len(lines)
}
