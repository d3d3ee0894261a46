package main

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// maxProgressLines bounds the lines of one progress update, whatever the
// service answers.
const maxProgressLines = 50

// progress prints a wait's progress on stderr, a line "[  2.7s] TEXT" per
// row whose text changed. A nil *progress prints nothing (--quiet). Its
// updates come one at a time (WaitAll's callbacks, then the last).
type progress struct {
	w     io.Writer
	start time.Time
	shown map[string]string // the text last printed per row
}

// row is a line of the progress: the destination or image it tells of,
// and its text ("" for nothing to tell yet).
type row struct{ key, text string }

// progressRows are the rows of results: the destinations of the one image,
// or a row per image of a set, with the words of the summaries.
func progressRows(results []result, single bool) (rows []row) {
	if r := results[0]; single {
		img := r.doc()
		if len(img.Destinations) == 0 && !r.done && !r.firstAnswer.IsZero() {
			rows = append(rows, row{"none", r.name + ": the service lists no destination yet"})
		}
		for _, d := range img.Destinations {
			text := destinationLabel(d) + " " + statusText(d)
			if t := replicationText(d, img.Since); t == beforeWait {
				text = destinationLabel(d) + " " + t
			} else if t != "" {
				text += " after " + t
			}
			rows = append(rows, row{d.Region + "\x00" + d.RegistryID, text})
		}
		return rows
	}
	for i, r := range results {
		img, text := r.doc(), ""
		done, all := len(filter(img, func(d destinationDoc) bool { return d.Status == statusComplete })), len(filter(img, nil))
		switch {
		case r.done && r.outcome != complete:
			text = reasonOf(img)
		case r.done || done == all && all > 0:
			text = "replicated to " + plural(len(img.Destinations), "destination")
		case !r.firstAnswer.IsZero():
			text = fmt.Sprintf("%d/%d destinations complete", done, all)
		}
		if text != "" {
			text = r.name + "  " + text
		}
		rows = append(rows, row{strconv.Itoa(i), text})
	}
	return rows
}

// update prints the rows whose text changed, at most maxProgressLines.
func (p *progress) update(rows []row) {
	if p == nil {
		return
	}
	printed := 0
	for _, r := range rows {
		if r.text == "" || p.shown[r.key] == r.text {
			continue
		}
		if printed++; printed <= maxProgressLines {
			p.note("%s", r.text)
		}
		p.shown[r.key] = r.text
	}
	if printed > maxProgressLines {
		p.note("… and %d more changes", printed-maxProgressLines)
	}
}

// note prints a line, such as a transient error ridden out, after the time
// since the start, made safe and cut.
func (p *progress) note(format string, v ...any) {
	if p != nil {
		fmt.Fprintf(p.w, "[%5.1fs] %s\n", time.Since(p.start).Seconds(), safetext.Line(fmt.Sprintf(format, v...), maxLine))
	}
}
