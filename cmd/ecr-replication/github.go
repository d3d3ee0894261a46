package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// writeAnnotations writes an ::error workflow command for the document's
// error and each image's, titled by its outcome, escaped as @actions/core
// escapes: the runner reads a command only at the start of a line.
func writeAnnotations(w io.Writer, d document) {
	annotate := func(o outcome, e *errorDoc, image string) {
		title := o.info().title
		if image != "" {
			title += ": " + safetext.Line(image, 256)
		}
		lines := strings.Split(e.Message, "\n")
		for i, l := range lines {
			lines[i] = safetext.Line(l, maxLine)
		}
		fmt.Fprintf(w, "::error title=%s::%s\n", escapeProperty(title), escapeData(strings.Join(lines, "\n")))
	}
	if d.Error != nil {
		annotate(d.Outcome, d.Error, "")
	}
	for _, img := range ordered(d) {
		if img.Error != nil {
			annotate(img.Outcome, img.Error, nameOf(img))
		}
	}
}

// escapeData escapes a workflow command's message as @actions/core does.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property of a workflow command as @actions/core
// does: as escapeData, and ':' and ','.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// writeGitHubOutputs writes the step outputs of d for $GITHUB_OUTPUT: status
// (the outcome) and max-replication-seconds (the longest
// replicationSeconds.max; "" for none), neither with a line break.
func writeGitHubOutputs(w io.Writer, d document) error {
	longest, seconds := -1.0, ""
	for _, img := range ordered(d) {
		for _, dst := range img.Destinations {
			if iv := dst.ReplicationSeconds; iv != nil {
				longest = max(longest, iv.Max)
			}
		}
	}
	if longest >= 0 {
		seconds = strconv.FormatFloat(longest, 'f', -1, 64)
	}
	_, err := fmt.Fprintf(w, "status=%s\nmax-replication-seconds=%s\n", safetext.Line(string(d.Outcome), 64), seconds)
	return err
}
