package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
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
// same verdict, reasons and rows; annotations and step outputs follow.
const (
	maxCell        = 128                        // characters of a cell
	maxMessage     = 512                        // characters of a Markdown line
	beforeWait     = "complete before the wait" // COMPLETE at the first poll of a wait-start wait
	statusComplete = string(types.ReplicationStatusComplete)
	statusFailed   = string(types.ReplicationStatusFailed)
)

// tableHeader is the table's header row.
var tableHeader = []string{"Image", "Region", "Registry", "Status", "Replication time", "Failure code"}

// ordered returns the images of d without duplicates, problems first.
func ordered(d document) []imageDoc {
	out := slices.DeleteFunc(slices.Clone(d.Images), func(img imageDoc) bool { return img.Duplicate })
	slices.SortStableFunc(out, func(a, b imageDoc) int { return cmp.Compare(a.Outcome.info().order, b.Outcome.info().order) })
	return out
}

// verdict is the headline: icon, subject (strong in Markdown) and the rest,
// such as "❌", "3 of 6 images did not replicate", ": 1 failed, 1 timed out,
// 1 not found · 3 replicated in 4.8 s from the push at 12:03:07 UTC".
func verdict(d document) (icon, subject, rest string) {
	icon, images := d.Outcome.info().icon, ordered(d)
	n, done := len(images), count(images, complete)
	if d.Error != nil {
		return icon, d.Outcome.info().title, ": " + d.Error.Reason
	}
	switch one := n == 1; {
	case one && done == 1:
		return icon, nameOf(images[0]) + " replicated", " to " + plural(len(images[0].Destinations), "destination") + replicatedIn(images)
	case done == n:
		return icon, plural(n, "image") + " replicated", replicatedIn(images)
	case one && images[0].Outcome == inProgress:
		return icon, nameOf(images[0]) + " in progress", ": " + reasonOf(images[0])
	case one:
		return icon, nameOf(images[0]) + " did not replicate", ": " + reasonOf(images[0])
	}
	var parts []string
	for i, img := range images[:n-done] {
		if i == 0 || images[i-1].Outcome != img.Outcome {
			parts = append(parts, fmt.Sprintf("%d %s", count(images, img.Outcome), img.Outcome.info().word))
		}
	}
	subject = fmt.Sprintf("%d of %d images did not replicate", n-done, n)
	if count(images, inProgress) == n-done {
		subject = fmt.Sprintf("%d of %d images in progress", n-done, n)
	}
	if rest = ": " + strings.Join(parts, ", "); done > 0 {
		rest += fmt.Sprintf(" · %d replicated%s", done, replicatedIn(images[n-done:]))
	}
	return icon, subject, rest
}

// replicatedIn says how long images took to replicate, and from when: " in
// 4.8 s from the push at 12:03:07 UTC", " before the wait", or "".
func replicatedIn(images []imageDoc) string {
	const fromStart = "from the start of the wait"
	slowest, before, froms := time.Duration(-1), false, map[string]bool{}
	for _, img := range images {
		for _, dst := range img.Destinations {
			switch t := replicationText(dst, img.Since); {
			case t == beforeWait:
				before = true
			case t != "" && !dst.Extra:
				from := fromStart
				if img.Since.Source == ecrreplication.SinceFromPush {
					from = "from the push at " + img.Since.Time.Format("15:04:05") + " UTC"
				}
				slowest, froms[from] = max(slowest, millis(dst.ReplicationSeconds.Max)), true
			}
		}
	}
	switch {
	case slowest < 0 && before:
		return " before the wait"
	case slowest < 0:
		return ""
	case froms[fromStart] && len(froms) > 1:
		return " in " + upTo(slowest) + " from the push, or the start of the wait where the push time was unknown"
	case len(froms) > 1:
		return " in " + upTo(slowest) + " from each image's push"
	}
	for from := range froms {
		return " in " + upTo(slowest) + " " + from
	}
	return ""
}

// reasonOf says in a few words why an image did not replicate: its error's
// reason when the live error told it, else what the document tells.
func reasonOf(img imageDoc) string {
	code, pending := "", filter(img, func(d destinationDoc) bool { return d.Status != statusComplete && d.Status != statusFailed })
	if img.Error != nil && img.Error.Reason != "" {
		return img.Error.Reason
	} else if img.Error != nil {
		code = img.Error.Code
	}
	switch {
	case code == codeNoReplicationRule:
		return "no replication rule of the registry matches the repository"
	case code == codeRepositoryNotFound, code == codeImageNotFound:
		return strings.ToLower(strings.TrimSuffix(code, "NotFound")) + " not found"
	case img.Outcome == failed:
		return "failed to " + destinationList(filter(img, func(d destinationDoc) bool { return d.Status == statusFailed }))
	case img.Outcome == inProgress:
		done, all := len(filter(img, func(d destinationDoc) bool { return d.Status == statusComplete })), len(filter(img, nil))
		return fmt.Sprintf("%d of %d destinations complete; pending: %s", done, all, destinationList(pending))
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

// filter returns the destinations of img that must complete and that keep
// accepts (all of them when keep is nil).
func filter(img imageDoc, keep func(destinationDoc) bool) []destinationDoc {
	return slices.DeleteFunc(slices.Clone(img.Destinations), func(d destinationDoc) bool { return d.Extra || keep != nil && !keep(d) })
}

// destinationList names up to three destinations, with the failure code of
// a failed one and "(not listed)" for one the service does not list.
func destinationList(ds []destinationDoc) string {
	var parts []string
	for i, d := range ds {
		switch s := destinationLabel(d); {
		case i == 3:
			return strings.Join(append(parts, fmt.Sprintf("and %d more", len(ds)-i)), ", ")
		case d.Status == "":
			parts = append(parts, s+" (not listed)")
		case d.FailureCode != "":
			parts = append(parts, s+": "+safetext.Line(d.FailureCode, 64))
		default:
			parts = append(parts, s)
		}
	}
	return cmp.Or(strings.Join(parts, ", "), "none")
}

// destinationLabel names a destination, "REGION REGISTRY", each value cut.
func destinationLabel(d destinationDoc) string {
	return strings.TrimSpace(safetext.Line(d.Region, 64) + " " + safetext.Line(d.RegistryID, 64))
}

// reasons are the lines "NAME: REASON" of a set's images that did not
// replicate, problems first: the first maxProblems and a count of the rest.
func reasons(d document) (lines []string) {
	images := ordered(d)
	bad := len(images) - count(images, complete)
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

// count counts the images of an outcome.
func count(images []imageDoc, o outcome) (n int) {
	for _, img := range images {
		if img.Outcome == o {
			n++
		}
	}
	return n
}

// tableRows are the table's rows, "" for no value: one per destination of
// each image, and the error code of an image without destinations.
func tableRows(d document) (rows [][]string) {
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
	case d.CompleteAtFirstPoll && since.Source == ecrreplication.SinceFromWaitStart:
		return beforeWait
	}
	lo, hi, unit := millis(iv.Min), millis(iv.Max), 100*time.Millisecond
	if hi >= 10*time.Second {
		unit = time.Second
	}
	switch lo = lo.Truncate(unit); {
	case lo == 0:
		return "≤ " + upTo(hi)
	case hi >= 120*time.Second:
		return human(lo) + "–" + upTo(hi)
	case unit == time.Second:
		return fmt.Sprintf("%d–%s", lo/unit, upTo(hi))
	}
	return fmt.Sprintf("%.1f–%s", lo.Seconds(), upTo(hi))
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
	if d < 10*time.Second {
		return human((d + 99*time.Millisecond).Truncate(100 * time.Millisecond))
	}
	return human((d + time.Second - 1).Truncate(time.Second))
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

// writeText writes d for people: the verdict, the reasons and the table ("-"
// for no value), every value made safe for a terminal and capped.
func writeText(w io.Writer, d document) {
	icon, subject, rest := verdict(d)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, safetext.Line(icon+" "+subject+rest, maxLine))
	for _, l := range reasons(d) {
		fmt.Fprintln(tw, "  "+safetext.Line(l, maxLine))
	}
	if rows := tableRows(d); len(rows) > 0 {
		fmt.Fprintln(tw, "\n"+strings.ToUpper(strings.Join(tableHeader, "\t")))
		for _, row := range rows {
			for i, c := range row {
				row[i] = safetext.Line(cmp.Or(c, "-"), maxCell)
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
	}
	tw.Flush()
}

// writeMarkdown writes d as GitHub-flavoured Markdown: the verdict, the
// reasons as a list and the table ("–" for no value), then a blank line.
func writeMarkdown(w io.Writer, d document) {
	icon, subject, rest := verdict(d)
	sep := ""
	if r, ok := strings.CutPrefix(rest, " "); ok {
		sep, rest = " ", r
	}
	fmt.Fprintf(w, "%s **%s**%s%s\n\n", icon, markdownText(subject, maxMessage), sep, markdownText(rest, maxMessage))
	lines := reasons(d)
	for _, l := range lines {
		fmt.Fprintf(w, "- %s\n", markdownText(l, maxMessage))
	}
	if len(lines) > 0 {
		fmt.Fprintln(w)
	}
	if rows := tableRows(d); len(rows) > 0 {
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(tableHeader, " | "), strings.Repeat(" --- |", len(tableHeader)))
		for _, row := range rows {
			for i, c := range row {
				row[i] = markdownText(cmp.Or(c, "–"), maxCell)
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
		fmt.Fprintln(w)
	}
}

// markdownSpecial are the characters markdownText escapes with a backslash.
const markdownSpecial = "\\`*_[]<>&|~:@#$"

// markdownText returns s as Markdown that GitHub shows as safetext.Line(s,
// limit) in a cell or a paragraph, whatever s holds, with a zero-width
// joiner after an '@' or '#' that would mention or link: a backslash before
// every ASCII character that starts or ends a construct and the '.' of
// "www.", &#32; for a space at either end (a cell is trimmed).
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
