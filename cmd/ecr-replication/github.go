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

// maxTitle is the most characters of a value an annotation's title shows.
const maxTitle = 256

// codeTitles name the error codes in annotation titles.
var codeTitles = map[string]string{
	codeReplicationFailed:  "Replication failed",
	codeNoReplicationRule:  "No replication rule",
	codeInvalidInput:       "Invalid input",
	codeTimeout:            "Timed out",
	codeImageNotFound:      "Image not found",
	codeRepositoryNotFound: "Repository not found",
	codeInterrupted:        "Interrupted",
	codeCancelled:          "Cancelled",
	codeError:              "Error",
}

// writeAnnotations writes on w one ::error workflow command for the set's
// own error and one for each image of d that ended with an error
// (duplicates left out):
//
//	::error title=Replication failed%3A web:v1::waiting for web:v1: replication failed to ...
//
// Nothing is written for a document without errors.
func writeAnnotations(w io.Writer, d document) {
	var b strings.Builder
	annotate := func(e *errorDoc, image string) {
		title, ok := codeTitles[e.Code]
		if !ok {
			title = "Error"
		}
		if image != "" {
			title += ": " + safetext.Line(image, maxTitle)
		}
		fmt.Fprintf(&b, "::error title=%s::%s\n", escapeProperty(title), escapeData(safeLines(e.Message)))
	}
	if d.err != nil {
		annotate(d.err, "")
	}
	for _, img := range d.unique() {
		switch {
		case img.Error == nil:
		case img.Repository+img.ImageTag+img.ImageDigest == "": // a usage error that names no image
			annotate(img.Error, "")
		default:
			annotate(img.Error, docImageName(img))
		}
	}
	io.WriteString(w, b.String())
}

// safeLines makes each line of a message safe for a log
// (ecrreplication.SafeText, cut to maxLine characters), keeping the lines.
func safeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = safetext.Line(l, maxLine)
	}
	return strings.Join(lines, "\n")
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
// status is the word of the document's exit code (complete, failed,
// invalid-input, timeout, not-found, error, interrupted);
// max-replication-seconds the longest replicationSeconds.max of its
// images' destinations (duplicates left out), empty when there is none.
// No value can hold a line break: the words are fixed and the number is
// formatted by strconv.
func writeGitHubOutputs(w io.Writer, d document) error {
	longest, found := 0.0, false
	for _, img := range d.unique() {
		for _, dst := range img.Destinations {
			if iv := dst.ReplicationSeconds; iv != nil && (!found || iv.Max > longest) {
				longest, found = iv.Max, true
			}
		}
	}
	seconds := ""
	if found {
		seconds = strconv.FormatFloat(longest, 'f', -1, 64)
	}
	var b strings.Builder
	for _, kv := range [][2]string{{"status", exitNameOf(d.exitCode).word}, {"max-replication-seconds", seconds}} {
		if strings.ContainsAny(kv[1], "\r\n") { // cannot happen, as said above
			return fmt.Errorf("output %s: the value %s has a line break", kv[0], quote(kv[1]))
		}
		b.WriteString(kv[0] + "=" + kv[1] + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
