package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// The views of a document, each written once: text and Markdown render the
// same verdict, reasons and table rows; progress and annotations use the
// same words. maxCell caps a table cell, maxMessage a verdict or reason.
const (
	maxCell    = 128
	maxMessage = 512
	beforeWait = "complete before the wait" // a destination COMPLETE at the first poll of a wait-start wait
)

// tableHeader is the table's header row.
var tableHeader = []string{"Image", "Region", "Registry", "Status", "Replication time", "Failure code"}

// ordered returns the images of d without duplicates, problems first in
// the outcome table's order, then as given.
func ordered(d document) []imageDoc {
	out := slices.DeleteFunc(slices.Clone(d.Images), func(img imageDoc) bool { return img.Duplicate })
	slices.SortStableFunc(out, func(a, b imageDoc) int { return cmp.Compare(a.Outcome.info().order, b.Outcome.info().order) })
	return out
}

// nameOf names an image of a document.
func nameOf(img imageDoc) string { return imageName(img.Repository, img.ImageTag, img.ImageDigest) }

// verdict is the headline: an icon, the subject (strong in Markdown) and
// the rest, such as "❌", "3 of 6 images did not replicate", ": 1 failed, 1
// timed out, 1 not found · 3 replicated in 4.8 s from the push at 12:03:07
// UTC". For one image the rest is its reason.
func verdict(d document) (icon, subject, rest string) {
	icon = d.Outcome.info().icon
	images := ordered(d)
	n, done := len(images), countOf(images, complete)
	name := plural(n, "image")
	switch {
	case d.Error != nil:
		return icon, d.Outcome.info().title, ": " + d.Error.Reason
	case n == 1:
		name = nameOf(images[0])
	}
	var parts []string
	for i, img := range images[:n-done] {
		if i == 0 || images[i-1].Outcome != img.Outcome {
			parts = append(parts, fmt.Sprintf("%d %s", countOf(images, img.Outcome), img.Outcome.info().word))
		}
	}
	switch {
	case done == n && n == 1:
		return icon, name + " replicated", " to " + plural(len(images[0].Destinations), "destination") + replicatedIn(images)
	case done == n:
		return icon, name + " replicated", replicatedIn(images)
	case n == 1 && images[0].Outcome == inProgress:
		return icon, name + " in progress", ": " + reasonOf(images[0])
	case n == 1:
		return icon, name + " did not replicate", ": " + reasonOf(images[0])
	}
	subject = fmt.Sprintf("%d of %s did not replicate", n-done, name)
	if countOf(images, inProgress) == n-done {
		subject = fmt.Sprintf("%d of %s in progress", n-done, name)
	}
	rest = ": " + strings.Join(parts, ", ")
	if done > 0 {
		rest += fmt.Sprintf(" · %d replicated%s", done, replicatedIn(images[n-done:]))
	}
	return icon, subject, rest
}

// replicatedIn says how long the images took to replicate, and from when:
// " in 4.8 s from the push at 12:03:07 UTC", " before the wait", or "".
func replicatedIn(images []imageDoc) string {
	slowest, before, timed := time.Duration(-1), false, []imageDoc{}
	for _, img := range images {
		for _, dst := range img.Destinations {
			if t := replicationText(dst, img.Since); t == beforeWait {
				before = true
			} else if t != "" && !dst.Extra {
				slowest, timed = max(slowest, millis(dst.ReplicationSeconds.Max)), append(timed, img)
			}
		}
	}
	switch {
	case slowest >= 0:
		return " in " + upTo(slowest) + " " + sinceText(timed)
	case before:
		return " before the wait"
	}
	return ""
}

// sinceText says, once, what the images' replication times count from.
func sinceText(images []imageDoc) string {
	push, start := map[string]bool{}, false
	for _, img := range images {
		if img.Since.Source == ecrreplication.SinceFromPush {
			push["at "+img.Since.Time.Format("15:04:05")+" UTC"] = true
		} else {
			start = true
		}
	}
	switch {
	case len(push) > 0 && start:
		return "from the push, or the start of the wait where the push time was unknown"
	case len(push) > 1:
		return "from each image's push"
	}
	for at := range push {
		return "from the push " + at
	}
	return "from the start of the wait"
}

// reasonOf says in a few words why an image did not replicate: its error's
// reason when the live error told it, else what the document tells.
func reasonOf(img imageDoc) string {
	code, pending := "", pendingOf(img)
	if img.Error != nil && img.Error.Reason != "" {
		return img.Error.Reason
	} else if img.Error != nil {
		code = img.Error.Code
	}
	switch {
	case code == codeNoReplicationRule:
		return "no replication rule of the registry matches the repository"
	case code == codeRepositoryNotFound:
		return "repository not found"
	case code == codeImageNotFound:
		return "image not found"
	case img.Outcome == failed:
		return "failed to " + destinationList(slices.DeleteFunc(slices.Clone(img.Destinations), func(d destinationDoc) bool {
			return d.Extra || d.Status != string(types.ReplicationStatusFailed)
		}))
	case img.Outcome == inProgress:
		done, expected := completeOf(img)
		return fmt.Sprintf("%d of %d destinations complete; pending: %s", done, expected, destinationList(pending))
	case img.Outcome != timedOut:
		return img.Outcome.info().word
	case img.Attempts == 0:
		return "timed out before its first poll"
	case img.Answers == 0:
		return "timed out: the service never answered"
	case len(pending) == 0:
		return "timed out: the service listed no destination"
	}
	return "timed out after " + human(millis(img.ElapsedSeconds)) + "; pending: " + destinationList(pending)
}

// pendingOf returns the destinations of img that must complete and are
// neither COMPLETE nor FAILED.
func pendingOf(img imageDoc) []destinationDoc {
	return slices.DeleteFunc(slices.Clone(img.Destinations), func(d destinationDoc) bool {
		return d.Extra || d.Status == string(types.ReplicationStatusComplete) || d.Status == string(types.ReplicationStatusFailed)
	})
}

// completeOf counts the destinations of img that must complete, and those
// of them that are COMPLETE.
func completeOf(img imageDoc) (done, expected int) {
	for _, d := range img.Destinations {
		if !d.Extra {
			expected++
			if d.Status == string(types.ReplicationStatusComplete) {
				done++
			}
		}
	}
	return done, expected
}

// destinationList names up to three destinations, with the failure code of
// a failed one and "(not listed)" for one the service does not list.
func destinationList(ds []destinationDoc) string {
	var parts []string
	for i, d := range ds {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(ds)-i))
			break
		}
		s := destinationLabel(d)
		if d.Status == "" {
			s += " (not listed)"
		} else if d.FailureCode != "" {
			s += ": " + safetext.Line(d.FailureCode, 64)
		}
		parts = append(parts, s)
	}
	return cmp.Or(strings.Join(parts, ", "), "none")
}

// destinationLabel names a destination, "REGION REGISTRY", each value cut.
func destinationLabel(d destinationDoc) string {
	return strings.TrimSpace(safetext.Line(d.Region, 64) + " " + safetext.Line(d.RegistryID, 64))
}

// reasons are the lines of a set's images that did not replicate, "NAME:
// REASON", problems first: the first maxProblems and a count of the rest.
func reasons(d document) []string {
	var lines []string
	images := ordered(d)
	bad := len(images) - countOf(images, complete)
	for i, img := range images[:bad] {
		if i == maxProblems {
			return append(lines, fmt.Sprintf("and %d more", bad-i))
		}
		lines = append(lines, nameOf(img)+": "+reasonOf(img))
	}
	if len(images) < 2 {
		return nil
	}
	return lines
}

// countOf counts the images of an outcome.
func countOf(images []imageDoc, o outcome) int {
	return len(images) - len(slices.DeleteFunc(slices.Clone(images), func(img imageDoc) bool { return img.Outcome == o }))
}

// tableRows are the table's rows, "" for no value: one per destination of
// each image, and the error code of an image without destinations.
func tableRows(d document) [][]string {
	var rows [][]string
	for _, img := range ordered(d) {
		if len(img.Destinations) == 0 && img.Error != nil {
			rows = append(rows, []string{nameOf(img), "", "", img.Error.Code, "", ""})
		}
		for _, dst := range img.Destinations {
			rows = append(rows, []string{nameOf(img), dst.Region, dst.RegistryID, statusText(dst), replicationText(dst, img.Since), dst.FailureCode})
		}
	}
	return rows
}

// statusText is a destination's status for people: NOT_LISTED when the
// service does not list it, marked when the wait does not expect it.
func statusText(d destinationDoc) string {
	if d.Extra {
		return cmp.Or(d.Status, "NOT_LISTED") + " (not expected)"
	}
	return cmp.Or(d.Status, "NOT_LISTED")
}

// replicationText is how long replication to d took: "12–15 s", "≤ 15 s"
// when only the upper bound is known, beforeWait, or "".
func replicationText(d destinationDoc, since *sinceDoc) string {
	iv := d.ReplicationSeconds
	switch {
	case iv == nil:
		return ""
	case d.CompleteAtFirstPoll && since != nil && since.Source == ecrreplication.SinceFromWaitStart:
		return beforeWait
	}
	unit := time.Second
	if millis(iv.Max) < 10*time.Second {
		unit = 100 * time.Millisecond
	}
	lo, hi := millis(iv.Min).Truncate(unit), (millis(iv.Max) + unit - 1).Truncate(unit)
	switch {
	case lo == 0:
		return "≤ " + human(hi)
	case hi >= 120*time.Second:
		return human(lo) + "–" + human(hi)
	case unit == time.Second:
		return fmt.Sprintf("%d–%d s", lo/unit, hi/unit)
	}
	return fmt.Sprintf("%.1f–%.1f s", lo.Seconds(), hi.Seconds())
}

// human formats a duration for people: one decimal under 10 s, whole
// seconds to 120 s, then minutes and seconds ("2 min 5 s").
func human(d time.Duration) string {
	s := int64(max(d, 0).Round(time.Second) / time.Second)
	switch r := max(d, 0).Round(100 * time.Millisecond); {
	case r < 10*time.Second:
		return fmt.Sprintf("%.1f s", r.Seconds())
	case s < 120:
		return fmt.Sprintf("%d s", s)
	case s%60 == 0:
		return fmt.Sprintf("%d min", s/60)
	}
	return fmt.Sprintf("%d min %d s", s/60, s%60)
}

// upTo is human(d) rounded up, for an upper bound.
func upTo(d time.Duration) string {
	unit := time.Second
	if d < 10*time.Second {
		unit = 100 * time.Millisecond
	}
	return human((d + unit - 1).Truncate(unit))
}

// plural is "1 image", "2 images".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// oneLine joins the lines of a message with "; ", each trimmed, blank ones
// left out.
func oneLine(s string) string {
	var lines []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

// writeText writes d for people: the verdict, the reasons and the table
// ("-" for no value), every value made safe for a terminal and capped.
func writeText(w io.Writer, d document) {
	icon, subject, rest := verdict(d)
	var b strings.Builder
	b.WriteString(safetext.Line(icon+" "+subject+rest, maxLine) + "\n")
	for _, l := range reasons(d) {
		b.WriteString("  " + safetext.Line(l, maxLine) + "\n")
	}
	if rows := tableRows(d); len(rows) > 0 {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\n"+strings.ToUpper(strings.Join(tableHeader, "\t")))
		for _, row := range rows {
			for i, c := range row {
				row[i] = safetext.Line(cmp.Or(c, "-"), maxCell)
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		tw.Flush()
	}
	io.WriteString(w, b.String())
}

// writeMarkdown writes d as GitHub-flavoured Markdown: the verdict, the
// reasons as a list and the table ("–" for no value), every value escaped
// (markdownText), and a blank line that keeps appended documents apart.
func writeMarkdown(w io.Writer, d document) {
	icon, subject, rest := verdict(d)
	var b strings.Builder
	sep := ""
	if r, ok := strings.CutPrefix(rest, " "); ok {
		sep, rest = " ", r
	}
	b.WriteString(icon + " **" + markdownText(subject, maxMessage) + "**" + sep + markdownText(rest, maxMessage) + "\n\n")
	if lines := reasons(d); len(lines) > 0 {
		for _, l := range lines {
			b.WriteString("- " + markdownText(l, maxMessage) + "\n")
		}
		b.WriteString("\n")
	}
	if rows := tableRows(d); len(rows) > 0 {
		b.WriteString("| " + strings.Join(tableHeader, " | ") + " |\n|" + strings.Repeat(" --- |", len(tableHeader)) + "\n")
		for _, row := range rows {
			for i, c := range row {
				row[i] = markdownText(cmp.Or(c, "–"), maxCell)
			}
			b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		}
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}

// markdownSpecial are the characters markdownText escapes with a backslash.
const markdownSpecial = "\\`*_[]<>&|~:@#$"

// markdownText returns s as Markdown text that GitHub shows as
// safetext.Line(s, limit) in a cell or a paragraph, whatever s holds, but
// for a zero-width joiner (U+200D) after each '@' or '#' before a letter,
// digit or '_', so that no value mentions anyone or links an issue.
// safetext.Line escapes control, line-break and bidi characters; a
// backslash escapes every ASCII character that starts or ends a construct
// (':' breaks every scheme, '@' every e-mail address) and the '.' of
// "www."; a space at either end is &#32;, as a cell is trimmed.
func markdownText(s string, limit int) string {
	s = safetext.Line(s, limit)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' && (i == 0 || i == len(s)-1):
			b.WriteString("&#32;")
		case strings.IndexByte(markdownSpecial, c) >= 0, c == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"):
			b.WriteString(`\` + string(c))
		default:
			b.WriteByte(c)
		}
		if r, _ := utf8.DecodeRuneInString(s[i+1:]); (c == '@' || c == '#') && (r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteString("\u200d")
		}
	}
	return b.String()
}
