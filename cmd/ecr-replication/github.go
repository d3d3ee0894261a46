package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// --output github and render --github-output: GitHub Actions workflow
// commands and step outputs, made from a document. The runner reads a
// workflow command only at the start of a line, so every value is kept on
// the command's one line by the escaping of @actions/core.

// maxTitle is the most characters of an image name an annotation's title
// shows.
const maxTitle = 256

// writeAnnotations writes on w one ::error workflow command for the
// document's own error and one for each image that did not replicate
// (duplicates and in-progress images left out), titled by its outcome:
//
//	::error title=Replication failed%3A web:v1::waiting for web:v1: replication failed to ...
func writeAnnotations(w io.Writer, d document) {
	var b strings.Builder
	annotate := func(o outcome, e *errorDoc, image string) {
		title := o.info().title
		if image != "" {
			title += ": " + safetext.Line(image, maxTitle)
		}
		lines := strings.Split(e.Message, "\n")
		for i, l := range lines {
			lines[i] = safetext.Line(l, maxLine)
		}
		fmt.Fprintf(&b, "::error title=%s::%s\n", escapeProperty(title), escapeData(strings.Join(lines, "\n")))
	}
	if d.Error != nil {
		annotate(d.Outcome, d.Error, "")
	}
	for _, img := range ordered(d) {
		if img.Error != nil {
			annotate(img.Outcome, img.Error, nameOf(img))
		}
	}
	io.WriteString(w, b.String())
}

// escapeData escapes the message of a workflow command as @actions/core's
// escapeData does: % as %25, CR as %0D, LF as %0A.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value of a workflow command as
// @actions/core's escapeProperty does: as escapeData, and : as %3A, comma
// as %2C.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// writeGitHubOutputs writes the step outputs of d on w in the name=value
// form of $GITHUB_OUTPUT:
//
//	status=timeout
//	max-replication-seconds=12.5
//
// status is the document's outcome; max-replication-seconds the longest
// replicationSeconds.max of its images (duplicates left out), empty when
// there is none. No value can hold a line break: the outcome is checked by
// the schema and the number is formatted by strconv.
func writeGitHubOutputs(w io.Writer, d document) error {
	longest := -1.0
	for _, img := range ordered(d) {
		for _, dst := range img.Destinations {
			if iv := dst.ReplicationSeconds; iv != nil {
				longest = max(longest, iv.Max)
			}
		}
	}
	seconds := ""
	if longest >= 0 {
		seconds = strconv.FormatFloat(longest, 'f', -1, 64)
	}
	_, err := fmt.Fprintf(w, "status=%s\nmax-replication-seconds=%s\n", safetext.Line(string(d.Outcome), 64), seconds)
	return err
}
