package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// --output markdown: a GitHub-flavoured Markdown document for a job summary
// ($GITHUB_STEP_SUMMARY), a pull-request comment or a chat message. It is
// rendered from the JSON document (a document), never from the live
// results, so that "render" shows a saved document exactly as the command
// showed it. Every value in it, whether from the service or the user, goes
// through markdownText.

// maxMessage is the most characters of an error message the verdict shows.
const maxMessage = 512

// markdownHeader is the header and delimiter row of the Markdown table.
const markdownHeader = "| Image | Region | Registry | Status | Replication time | Failure code |\n" +
	"| --- | --- | --- | --- | --- | --- |\n"

// writeMarkdown writes d as Markdown on w: a one-line verdict, then a table
// with one row per destination of each image (duplicates left out), and one
// row with the error code for an image that has no destination. The table
// is left out when no image has a row. The document ends with a blank line,
// so that documents appended to one file stay apart.
func writeMarkdown(w io.Writer, d document) {
	var b strings.Builder
	b.WriteString(verdict(d))
	b.WriteString("\n\n")
	rows := 0
	row := func(cells ...string) {
		if rows == 0 {
			b.WriteString(markdownHeader)
		}
		rows++
		b.WriteString("|")
		for _, c := range cells {
			if c == "" {
				c = "–"
			}
			b.WriteString(" " + markdownText(c, maxCell) + " |")
		}
		b.WriteString("\n")
	}
	for _, img := range d.unique() {
		name := docImageName(img)
		if len(img.Destinations) == 0 && img.Repository+img.ImageTag+img.ImageDigest != "" {
			code := ""
			if img.Error != nil {
				code = img.Error.Code
			}
			row(name, "", "", code, "", "")
		}
		for _, dst := range img.Destinations {
			row(name, dst.Region, dst.RegistryID, docStatusText(dst), intervalText(dst.ReplicationSeconds), dst.FailureCode)
		}
	}
	if rows > 0 {
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}

// verdict is the first line of the Markdown: how the command ended, in a
// few words, and why.
//
//	✅ **2 images replicated** to every destination in 12 s (14 polls)
//	🔄 **Replication in progress**: 1 of 2 destinations COMPLETE
//	❌ **Replication failed**: waiting for web:v1: replication failed to ...
//	⏱️ **Timed out** after 30 min: 2 of 5 images did not complete
func verdict(d document) string {
	images := d.unique()
	polls, failed, complete := 0, 0, 0
	var first *errorDoc
	for _, img := range images {
		polls += img.Attempts
		if img.Complete {
			complete++
		}
		if img.ExitCode != exitOK || img.Error != nil {
			if failed++; failed == 1 {
				first = img.Error
			}
		}
	}
	took := fmt.Sprintf("in %s (%s)", humanSeconds(d.elapsed), plural(polls, "poll"))
	if d.exitCode == exitOK {
		if complete == len(images) && len(images) > 0 {
			return fmt.Sprintf("✅ **%s replicated** to every destination %s", plural(len(images), "image"), took)
		}
		done, all := 0, 0
		for _, img := range images {
			for _, dst := range img.Destinations {
				if !dst.Extra {
					all++
					if dst.Status == string(types.ReplicationStatusComplete) {
						done++
					}
				}
			}
		}
		return fmt.Sprintf("🔄 **Replication in progress**: %d of %d destinations COMPLETE", done, all)
	}
	o := exitNameOf(d.exitCode)
	line := o.icon + " **" + o.headline + "**"
	if d.exitCode == exitTimeout {
		line += " after " + humanSeconds(d.elapsed)
	}
	var detail string
	switch {
	case d.err != nil:
		detail = markdownText(oneLine(d.err.Message), maxMessage)
	case !d.set && first != nil:
		detail = markdownText(oneLine(first.Message), maxMessage)
	case d.set:
		detail = fmt.Sprintf("%d of %s did not complete", failed, plural(len(images), "image"))
		if failed == 1 && first != nil {
			detail += ": " + markdownText(oneLine(first.Message), maxMessage)
		}
	}
	if detail != "" {
		line += ": " + detail
	}
	return line
}

// exitName is how a document's exit code is named: its icon and headline in
// the Markdown, and its word in the status output (--github-output).
type exitName struct {
	icon, headline, word string
}

// exitNames names each exit code.
var exitNames = map[int]exitName{
	exitOK:          {"✅", "Complete", "complete"},
	exitFailed:      {"❌", "Replication failed", "failed"},
	exitUsage:       {"⛔", "Invalid input", "invalid-input"},
	exitTimeout:     {"⏱️", "Timed out", "timeout"},
	exitNotFound:    {"🔍", "Not found", "not-found"},
	exitOther:       {"⚠️", "Error", "error"},
	exitInterrupted: {"🛑", "Interrupted", "interrupted"},
}

// exitNameOf names an exit code; an unknown one (which the schema does not
// allow) is named as an error.
func exitNameOf(code int) exitName {
	if o, ok := exitNames[code]; ok {
		return o
	}
	return exitNames[exitOther]
}

// markdownText returns s as Markdown text that a GitHub-flavoured Markdown
// renderer shows as safetext.Line(s, limit), whatever s holds,
// inside a table cell or a paragraph: no value can end a cell, start a
// code span, emphasis or strikethrough, open HTML, a link, an image or an
// autolink (GFM's http://, https://, ftp://, www. and e-mail addresses,
// and the mailto: and xmpp: forms), nor math, emoji shortcodes or
// references. How:
//   - SafeText writes control characters, line breaks, bidi and other
//     format characters as Go escapes (\n, \x1b, \u202e), and cuts the
//     text to limit characters;
//   - the ASCII characters that start or end a Markdown construct are
//     escaped with a backslash (\| \` \* \_ \[ \] \< \> \& \~ \\ \: \@ \#
//     \$), which CommonMark allows before any ASCII punctuation: ':' breaks
//     every scheme, '@' every e-mail address and mention;
//   - the '.' of "www." (any case) is escaped too;
//   - a space at either end is written &#32;, since a table cell is
//     trimmed of white space before it is parsed.
func markdownText(s string, limit int) string {
	s = safetext.Line(s, limit)
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' && (i == 0 || i == len(s)-1):
			b.WriteString("&#32;")
		case strings.IndexByte(markdownSpecial, c) >= 0,
			c == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// markdownSpecial are the characters markdownText escapes with a backslash.
const markdownSpecial = "\\`*_[]<>&|~:@#$"

// oneLine joins the lines of a message, such as the problems of a usage
// error, with "; ", each trimmed of white space, blank ones left out.
func oneLine(s string) string {
	var lines []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

// docImageName names the image of d as the text table does (Report.Name):
// REPO:TAG, or REPO@DIGEST for an image named by digest only, unusual parts
// quoted.
func docImageName(d imageDoc) string {
	r := ecrreplication.Report{Repository: d.Repository, ImageTag: d.ImageTag}
	if d.ImageTag == "" {
		r.ImageDigest = d.ImageDigest
	}
	return r.Name()
}

// docStatusText is the status of a destination of the document for people,
// as in the text table (statusText).
func docStatusText(d destinationDoc) string {
	return statusText(ecrreplication.Destination{Status: types.ReplicationStatus(d.Status), Extra: d.Extra})
}

// intervalText formats a replication time of the document as the text
// table does (replicationTime): "12–15 s", "≤ 15 s"; "" when there is none.
func intervalText(iv *intervalDoc) string {
	if iv == nil {
		return ""
	}
	since := time.Unix(0, 0)
	d := ecrreplication.Destination{FirstSeenComplete: since.Add(millis(iv.Max))}
	if iv.Min > 0 {
		d.LastSeenPending = since.Add(millis(iv.Min))
	}
	return replicationTime(d, since)
}

// millis converts seconds, to the millisecond, to a duration.
func millis(seconds float64) time.Duration {
	return time.Duration(math.Round(seconds*1000)) * time.Millisecond
}

// humanSeconds formats a number of seconds for people: "0.4 s", "12 s",
// "2 min 5 s", "30 min", "1 h 5 min".
func humanSeconds(s float64) string {
	switch {
	case !(s >= 0):
		return "0.0 s"
	case s < 9.95:
		return fmt.Sprintf("%.1f s", s)
	case s < 59.5:
		return fmt.Sprintf("%.0f s", s)
	}
	total := int64(math.Round(s))
	if total < 3600 {
		if total%60 == 0 {
			return fmt.Sprintf("%d min", total/60)
		}
		return fmt.Sprintf("%d min %d s", total/60, total%60)
	}
	minutes := total / 60
	if minutes%60 == 0 {
		return fmt.Sprintf("%d h", minutes/60)
	}
	return fmt.Sprintf("%d h %d min", minutes/60, minutes%60)
}

// plural is "1 image", "2 images".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
