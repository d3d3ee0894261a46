package main

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	goldhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/ecrkit/ecrreplication/ecrtest"
	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// gfm parses Markdown as GitHub does: CommonMark with the GFM extensions
// (tables, autolinks of http://, https://, www. and e-mail addresses,
// strikethrough, task lists).
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

// parsedMarkdown is what a Markdown document holds, as gfm parses it.
type parsedMarkdown struct {
	// paragraphs are the plain text of each paragraph.
	paragraphs []string
	// tables are the plain text of each table's cells, row by row, the
	// header row first.
	tables [][][]string
	// strong counts the strong emphasis nodes (**...**); other are the
	// kinds of the nodes that are none of the above, their text nor their
	// table parts: links, autolinks, HTML, code spans, images, other
	// emphasis, headings, lists...
	strong int
	other  []string
	// tags are the HTML element names gfm renders, in order.
	tags []string
}

// parseMarkdown parses text with gfm.
func parseMarkdown(t testing.TB, src string) parsedMarkdown {
	t.Helper()
	source := []byte(src)
	doc := gfm.Parser().Parse(text.NewReader(source))
	var p parsedMarkdown
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Paragraph:
			p.paragraphs = append(p.paragraphs, plainText(t, n, source, &p))
		case *east.Table:
			var rows [][]string
			for r := n.FirstChild(); r != nil; r = r.NextSibling() {
				var cells []string
				for c := r.FirstChild(); c != nil; c = c.NextSibling() {
					if _, ok := c.(*east.TableCell); !ok {
						p.other = append(p.other, c.Kind().String())
						continue
					}
					cells = append(cells, plainText(t, c, source, &p))
				}
				rows = append(rows, cells)
			}
			p.tables = append(p.tables, rows)
		default:
			p.other = append(p.other, n.Kind().String())
		}
	}
	var out bytes.Buffer
	if err := gfm.Renderer().Render(&out, source, doc); err != nil {
		t.Fatal(err)
	}
	for _, m := range htmlTag.FindAllStringSubmatch(out.String(), -1) {
		p.tags = append(p.tags, m[1])
	}
	return p
}

// htmlTag matches an HTML tag and captures its name. gfm writes
// every '<' of text as &lt;, so each '<' is a tag.
var htmlTag = regexp.MustCompile(`</?([^/>\s]*)`)

// plainText is the text of n's inline content as gfm renders it, entities
// and backslash escapes resolved. Strong emphasis is counted and looked
// into; any other node that is not text is recorded in p.other.
func plainText(t testing.TB, n ast.Node, source []byte, p *parsedMarkdown) string {
	t.Helper()
	var b strings.Builder
	err := ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || c == n {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			var buf bytes.Buffer
			w := bufio.NewWriter(&buf)
			goldhtml.DefaultWriter.Write(w, c.Segment.Value(source))
			w.Flush()
			b.WriteString(html.UnescapeString(buf.String()))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteString("\n")
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.Emphasis:
			if c.Level == 2 {
				p.strong++
				return ast.WalkContinue, nil
			}
			p.other = append(p.other, "Emphasis")
		default:
			p.other = append(p.other, c.Kind().String())
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// markdownTags are the HTML elements that a document may render to.
var markdownTags = map[string]bool{"p": true, "strong": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true}

// checkMarkdown checks that src parses to a verdict paragraph with one
// strong emphasis and at most one table of six columns, and nothing else:
// no link, autolink, HTML, code span, image, other emphasis nor any other
// block; it returns the verdict's text and the table's rows after the
// header.
func checkMarkdown(t testing.TB, src string) (verdict string, rows [][]string) {
	t.Helper()
	p := parseMarkdown(t, src)
	if len(p.paragraphs) != 1 || p.strong != 1 || len(p.other) > 0 || len(p.tables) > 1 {
		t.Fatalf("the Markdown parses to %d paragraphs, %d strong emphasis, %d tables and other nodes %q; want 1, 1, at most 1 and none:\n%s",
			len(p.paragraphs), p.strong, len(p.tables), p.other, src)
	}
	for _, tag := range p.tags {
		if !markdownTags[tag] {
			t.Errorf("the Markdown renders to an HTML element %q:\n%s", tag, src)
		}
	}
	if len(p.tables) == 0 {
		return p.paragraphs[0], nil
	}
	header := []string{"Image", "Region", "Registry", "Status", "Replication time", "Failure code"}
	table := p.tables[0]
	if diff := cmp.Diff(header, table[0]); diff != "" {
		t.Errorf("table header (-want +got):\n%s", diff)
	}
	for i, row := range table[1:] {
		if len(row) != len(header) {
			t.Errorf("row %d has %d cells, want %d: %q", i+1, len(row), len(header), row)
		}
	}
	return p.paragraphs[0], table[1:]
}

// destDoc is a destination of a document.
func destDoc(region, registryID, status, failureCode string, seconds ...float64) destinationDoc {
	d := destinationDoc{Region: region, RegistryID: registryID, Status: status, FailureCode: failureCode}
	if len(seconds) == 2 {
		d.ReplicationSeconds = &intervalDoc{Min: seconds[0], Max: seconds[1]}
	}
	return d
}

// imgDoc is an image of a document; code 0 means complete.
func imgDoc(repo, tag string, code int, attempts int, ds ...destinationDoc) imageDoc {
	d := imageDoc{Repository: repo, ImageTag: tag, Complete: code == exitOK, ExitCode: code, Attempts: attempts, Answers: attempts,
		Destinations: append([]destinationDoc{}, ds...)}
	return d
}

// incomplete marks an image not complete, as status does.
func incomplete(d imageDoc) imageDoc {
	d.Complete = false
	return d
}

// withError sets the error of an image.
func withError(d imageDoc, code, message string) imageDoc {
	d.Complete = false
	d.Error = &errorDoc{Code: code, Message: message}
	return d
}

// The Markdown of each kind of document, exactly.
func TestMarkdownDocuments(t *testing.T) {
	const digest = "sha256:4f1c0000000000000000000000000000000000000000000000000000000000aa"
	dup := imgDoc("team/api", "latest", exitOK, 3, destDoc("us-west-2", "123456789012", "COMPLETE", "", 0, 2))
	dup.Duplicate = true
	extra := destDoc("eu-west-1", "123456789012", "COMPLETE", "", 1, 2)
	extra.Extra = true
	for _, tc := range []struct {
		name string
		doc  document
		want string
	}{
		{
			name: "set complete",
			doc: setDocument(setDoc{Complete: true, ElapsedSeconds: 12.3, Images: []imageDoc{
				imgDoc("team/api", "v1", exitOK, 7, destDoc("us-east-2", "210987654321", "COMPLETE", "", 12, 15), destDoc("us-west-2", "123456789012", "COMPLETE", "", 0, 2.25)),
				imgDoc("team/web", "", exitOK, 7, destDoc("us-west-2", "123456789012", "COMPLETE", "", 3.1, 4.5)),
			}}),
			want: "✅ **2 images replicated** to every destination in 12 s (14 polls)\n" +
				"\n" +
				"| Image | Region | Registry | Status | Replication time | Failure code |\n" +
				"| --- | --- | --- | --- | --- | --- |\n" +
				"| team/api\\:v1 | us-east-2 | 210987654321 | COMPLETE | 12–15 s | – |\n" +
				"| team/api\\:v1 | us-west-2 | 123456789012 | COMPLETE | ≤ 2.3 s | – |\n" +
				"| team/web | us-west-2 | 123456789012 | COMPLETE | 3.1–4.5 s | – |\n" +
				"\n",
		},
		{
			name: "one image, failed, an extra and an unlisted destination",
			doc: imageDocument(withError(imgDoc("app", "v1", exitFailed, 2,
				extra, destDoc("us-east-2", "210987654321", "FAILED", "ACCESS_DENIED"), destDoc("us-west-2", "", "", "")),
				codeReplicationFailed, "waiting for app:v1: replication failed to us-east-2 210987654321 FAILED: ACCESS_DENIED (2 attempts in 1s)")),
			want: "❌ **Replication failed**: waiting for app\\:v1\\: replication failed to us-east-2 210987654321 FAILED\\: ACCESS\\_DENIED (2 attempts in 1s)\n" +
				"\n" +
				"| Image | Region | Registry | Status | Replication time | Failure code |\n" +
				"| --- | --- | --- | --- | --- | --- |\n" +
				"| app\\:v1 | eu-west-1 | 123456789012 | COMPLETE (not expected) | 1.0–2.0 s | – |\n" +
				"| app\\:v1 | us-east-2 | 210987654321 | FAILED | – | ACCESS\\_DENIED |\n" +
				"| app\\:v1 | us-west-2 | – | NOT\\_LISTED | – | – |\n" +
				"\n",
		},
		{
			name: "set timed out, duplicate left out",
			doc: setDocument(setDoc{ExitCode: exitTimeout, ElapsedSeconds: 1800.2, Images: []imageDoc{
				imgDoc("team/api", "latest", exitOK, 3, destDoc("us-west-2", "123456789012", "COMPLETE", "", 0, 2)),
				dup,
				withError(imgDoc("team/web", "v1", exitTimeout, 40, destDoc("us-west-2", "123456789012", "IN_PROGRESS", "")), codeTimeout, "waiting for team/web:v1: timed out"),
				withError(imgDoc("team/db", "v1", exitTimeout, 40, destDoc("us-west-2", "123456789012", "IN_PROGRESS", "")), codeTimeout, "waiting for team/db:v1: timed out"),
			}}),
			want: "⏱️ **Timed out** after 30 min: 2 of 3 images did not complete\n" +
				"\n" +
				"| Image | Region | Registry | Status | Replication time | Failure code |\n" +
				"| --- | --- | --- | --- | --- | --- |\n" +
				"| team/api\\:latest | us-west-2 | 123456789012 | COMPLETE | ≤ 2.0 s | – |\n" +
				"| team/web\\:v1 | us-west-2 | 123456789012 | IN\\_PROGRESS | – | – |\n" +
				"| team/db\\:v1 | us-west-2 | 123456789012 | IN\\_PROGRESS | – | – |\n" +
				"\n",
		},
		{
			name: "set, one image not found, named by digest",
			doc: setDocument(setDoc{ExitCode: exitNotFound, ElapsedSeconds: 3, Images: []imageDoc{
				imgDoc("team/api", "v1", exitOK, 2, destDoc("us-west-2", "123456789012", "COMPLETE", "", 0, 1)),
				withError(imageDoc{Repository: "team/api", ImageDigest: digest, ExitCode: exitNotFound, Attempts: 1, Destinations: []destinationDoc{}},
					codeImageNotFound, "waiting for team/api@"+digest+": ImageNotFoundException: not found"),
			}}),
			want: "🔍 **Not found**: 1 of 2 images did not complete: waiting for team/api\\@sha256\\:4f1c0000000000000000000000000000000000000000000000000000000000aa\\: ImageNotFoundException\\: not found\n" +
				"\n" +
				"| Image | Region | Registry | Status | Replication time | Failure code |\n" +
				"| --- | --- | --- | --- | --- | --- |\n" +
				"| team/api\\:v1 | us-west-2 | 123456789012 | COMPLETE | ≤ 1.0 s | – |\n" +
				"| team/api\\@sha256\\:4f1c0000000000000000000000000000000000000000000000000000000000aa | – | – | ImageNotFound | – | – |\n" +
				"\n",
		},
		{
			name: "status, in progress",
			doc: imageDocument(incomplete(imgDoc("app", "v1", exitOK, 1,
				destDoc("us-east-2", "210987654321", "IN_PROGRESS", ""), destDoc("us-west-2", "123456789012", "COMPLETE", "")))),
			want: "🔄 **Replication in progress**: 1 of 2 destinations COMPLETE\n" +
				"\n" +
				"| Image | Region | Registry | Status | Replication time | Failure code |\n" +
				"| --- | --- | --- | --- | --- | --- |\n" +
				"| app\\:v1 | us-east-2 | 210987654321 | IN\\_PROGRESS | – | – |\n" +
				"| app\\:v1 | us-west-2 | 123456789012 | COMPLETE | – | – |\n" +
				"\n",
		},
		{
			name: "set usage error: no table",
			doc: setDocument(setDoc{ExitCode: exitUsage, Images: []imageDoc{},
				Error: &errorDoc{Code: codeInvalidInput, Message: "--image and --images-from exclude --repository\n  --timeout 0s must be greater than zero"}}),
			want: "⛔ **Invalid input**: --image and --images-from exclude --repository; --timeout 0s must be greater than zero\n\n",
		},
		{
			name: "image usage error: one row",
			doc:  imageDocument(withError(imgDoc("Foo", "v1", exitUsage, 0), codeInvalidInput, `repository name (--repository) "Foo" must be lower case`)),
			want: "⛔ **Invalid input**: repository name (--repository) \"Foo\" must be lower case\n" +
				"\n" +
				"| Image | Region | Registry | Status | Replication time | Failure code |\n" +
				"| --- | --- | --- | --- | --- | --- |\n" +
				"| \"Foo\"\\:v1 | – | – | InvalidInput | – | – |\n" +
				"\n",
		},
		{
			name: "usage error naming no image: no table",
			doc:  imageDocument(withError(imgDoc("", "", exitUsage, 0), codeInvalidInput, "--speed 0 must be more than 0 and at most 1000")),
			want: "⛔ **Invalid input**: --speed 0 must be more than 0 and at most 1000\n\n",
		},
		{
			name: "interrupted, other error",
			doc: setDocument(setDoc{ExitCode: exitInterrupted, ElapsedSeconds: 4000, Images: []imageDoc{
				withError(imgDoc("a", "v1", exitInterrupted, 1), codeInterrupted, "interrupted; stopped waiting"),
				withError(imgDoc("b", "v1", exitOther, 1), codeError, "waiting for b:v1: AccessDeniedException"),
			}}),
			want: "🛑 **Interrupted**: 2 of 2 images did not complete\n" +
				"\n" +
				"| Image | Region | Registry | Status | Replication time | Failure code |\n" +
				"| --- | --- | --- | --- | --- | --- |\n" +
				"| a\\:v1 | – | – | Interrupted | – | – |\n" +
				"| b\\:v1 | – | – | Error | – | – |\n" +
				"\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			writeMarkdown(&b, tc.doc)
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("Markdown (-want +got):\n%s", diff)
			}
			checkMarkdown(t, b.String())
		})
	}
}

// hostile are values that would break a naive table: Markdown, HTML,
// links and autolinks, workflow commands, control characters, edge
// spaces, and text over the cap. want is the cell's text as a GFM renderer
// shows it: the value as ecrreplication.SafeText writes it.
var hostile = []struct{ value, want string }{
	{"a|b", "a|b"},
	{"`code` ``x``", "`code` ``x``"},
	{"<script>alert(1)</script>", "<script>alert(1)</script>"},
	{"<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"},
	{"&amp; &lt;b&gt; &#124; &#x7c;", "&amp; &lt;b&gt; &#124; &#x7c;"},
	{"[click](http://evil.example)", "[click](http://evil.example)"},
	{"![x](http://evil.example/x.png)", "![x](http://evil.example/x.png)"},
	{"[ref]: http://evil.example", "[ref]: http://evil.example"},
	{"*bold* **strong** _em_ __em__ ~~del~~ ~x~", "*bold* **strong** _em_ __em__ ~~del~~ ~x~"},
	{`back\slash\ \|`, `back\slash\ \|`},
	{"x\n::error::forged\r\n", `x\n::error::forged\r\n`},
	{"\x1b[31mred\x1b[0m\x00\x7f", `\x1b[31mred\x1b[0m\x00\x7f`},
	{"https://evil.example/a?b=c", "https://evil.example/a?b=c"},
	{"go to www.evil.example or WWW.EVIL.EXAMPLE now", "go to www.evil.example or WWW.EVIL.EXAMPLE now"},
	{"ftp://evil.example/x", "ftp://evil.example/x"},
	{"mail admin@evil.example", "mail admin@evil.example"},
	{"mailto:admin@evil.example xmpp:a@evil.example", "mailto:admin@evil.example xmpp:a@evil.example"},
	{"<http://evil.example> <admin@evil.example>", "<http://evil.example> <admin@evil.example>"},
	{"(www.evil.example) *www.evil.example*", "(www.evil.example) *www.evil.example*"},
	{" padded  twice ", " padded  twice "},
	{"   ", "   "},
	{"%0A::error::forged %25", "%0A::error::forged %25"},
	{"$x^2$ $$y$$ :smile: #123 @octocat", "$x^2$ $$y$$ :smile: #123 @octocat"},
	{"\u202eevil\u2028x", `\u202eevil\u2028x`},
	{"\xff\xfe", `\xff\xfe`},
	{"| --- | --- |", "| --- | --- |"},
	{"- [ ] task", "- [ ] task"},
	{"# heading", "# heading"},
	{"> quote", "> quote"},
	{"trailing\\", "trailing\\"},
	{strings.Repeat("é", 130), strings.Repeat("é", 128) + "…"},
}

// Hostile values from the service or the user show in the table exactly as
// SafeText writes them, in their own cell: nothing else parses.
func TestMarkdownHostileCells(t *testing.T) {
	for _, h := range hostile {
		t.Run(fmt.Sprintf("%.20q", h.value), func(t *testing.T) {
			img := withError(imgDoc("app", "v1", exitFailed, 1,
				destDoc(h.value, h.value, h.value, h.value, 1, 2)), codeReplicationFailed, "failed: "+h.value)
			var b strings.Builder
			writeMarkdown(&b, imageDocument(img))
			verdict, rows := checkMarkdown(t, b.String())
			want := "❌ Replication failed: " + safetext.Line(oneLine("failed: "+h.value), maxMessage)
			if diff := cmp.Diff(want, verdict); diff != "" {
				t.Errorf("verdict (-want +got):\n%s", diff)
			}
			wantRows := [][]string{{"app:v1", h.want, h.want, h.want, "1.0–2.0 s", h.want}}
			if diff := cmp.Diff(wantRows, rows); diff != "" {
				t.Errorf("cells (-want +got):\n%s\nMarkdown:\n%s", diff, b.String())
			}
		})
	}
}

// A hostile tag or repository, as given in a usage error, is quoted in the
// image's name (Report.Name) and escaped like every value.
func TestMarkdownHostileImageName(t *testing.T) {
	img := withError(imgDoc("team/<b>api</b>", "v1|`x`\n[y](www.evil.example)", exitUsage, 0), codeInvalidInput, "bad")
	var b strings.Builder
	writeMarkdown(&b, imageDocument(img))
	_, rows := checkMarkdown(t, b.String())
	want := [][]string{{`"team/<b>api</b>":"v1|` + "`x`" + `\n[y](www.evil.example)"`, "–", "–", "InvalidInput", "–", "–"}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("cells (-want +got):\n%s\nMarkdown:\n%s", diff, b.String())
	}
}

// markdownText, alone: the exact escapes.
func TestMarkdownText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"us-west-2", "us-west-2"},
		{"team/api:v1.0", `team/api\:v1.0`},
		{"a|b`c*d_e[f]g<h>i&j~k\\l@m#n$o", `a\|b\` + "`" + `c\*d\_e\[f\]g\<h\>i\&j\~k\\l\@m\#n\$o`},
		{"www.x wWw.y", `www\.x wWw\.y`},
		{" x ", "&#32;x&#32;"},
		{"x\ny", `x\\ny`},
		{"", ""},
	} {
		if got := markdownText(tc.in, maxCell); got != tc.want {
			t.Errorf("markdownText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// humanSeconds rounds to what people read.
func TestMarkdownHumanSeconds(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0.0 s"}, {0.04, "0.0 s"}, {9.94, "9.9 s"}, {9.96, "10 s"}, {12.3, "12 s"}, {59.4, "59 s"}, {59.6, "1 min"},
		{125, "2 min 5 s"}, {1800.2, "30 min"}, {3600, "1 h"}, {3900, "1 h 5 min"}, {-1, "0.0 s"},
	} {
		if got := humanSeconds(tc.in); got != tc.want {
			t.Errorf("humanSeconds(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// --output markdown and --output github of status and wait are the render
// of their --output json: one renderer, from the document.
func TestMarkdownLiveIsRenderOfJSON(t *testing.T) {
	run := func(t *testing.T, args ...string) outcome {
		var got outcome
		synctest.Test(t, func(t *testing.T) {
			srv := newServer(t, true)
			push(t, srv, "team/api", "v1")
			push(t, srv, "web", "v1", failedOn...)
			never := ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}
			push(t, srv, "slow", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: never}, ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: never})
			push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "<b>|x|</b>\n::error::forged"}})
			got = runAgainst(t.Context(), srv, args)
		})
		return got
	}
	for name, args := range map[string][]string{
		"set":       setArgs([]string{"team/api:v1", "web:v1", "nosuch:v1", "team/api:v1"}),
		"one image": waitArgs(),
		"status":    {"status", "--repository", "team/api", "--tag", "v1"},
		"hostile":   {"wait", "--repository", "app", "--tag", "v1", "--min-delay", "1s", "--max-delay", "1s"},
		"usage":     {"wait", "--repository", "Foo", "--tag", "v1"},
		"set usage": setArgs([]string{"team/api:v1"}, "--repository", "app"),
		"not found": {"status", "--repository", "team/api", "--tag", "v9"},
		"fail fast": setArgs([]string{"web:v1", "slow:v1"}, "--fail-fast"),
		"timed out": setArgs([]string{"slow:v1", "team/api:v1"}, "--timeout", "1500ms"),
	} {
		t.Run(name, func(t *testing.T) {
			doc := run(t, append(args, "--output", "json")...)
			for _, format := range []string{"markdown", "github"} {
				live := run(t, append(args, "--output", format)...)
				if live.code != doc.code {
					t.Errorf("--output %s: exit code %d, want %d as with --output json", format, live.code, doc.code)
				}
				rendered := runWith(t.Context(), []string{"render", "--output", format, "-"}, func(e *environment) { e.stdin = strings.NewReader(doc.stdout) })
				if rendered.code != exitOK || rendered.stderr != "" {
					t.Fatalf("render --output %s: exit code %d, stderr %q; want 0 and nothing", format, rendered.code, rendered.stderr)
				}
				// Request IDs count the server's requests, which the
				// concurrent polls of a set send in no fixed order.
				if diff := cmp.Diff(requestID.ReplaceAllString(rendered.stdout, "RequestID: X"), requestID.ReplaceAllString(live.stdout, "RequestID: X")); diff != "" {
					t.Errorf("--output %s is not the render of --output json (-render +live):\n%s", format, diff)
				}
				if format == "markdown" {
					checkMarkdown(t, live.stdout)
				}
			}
		})
	}
}

// requestID matches a request ID in an error message.
var requestID = regexp.MustCompile(`RequestID: [0-9a-f-]+`)

// FuzzMarkdownCell: whatever a value holds, its cell shows exactly its
// SafeText form ("–" for an empty value; NOT_LISTED for an empty status),
// the verdict shows the message's, and nothing but the verdict's strong
// emphasis and one table of one row parses: no link, autolink, HTML or
// code span.
func FuzzMarkdownCell(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.value)
	}
	f.Fuzz(func(t *testing.T, s string) {
		img := withError(imgDoc("app", "v1", exitFailed, 1, destDoc(s, s, s, s)), codeReplicationFailed, s)
		var b strings.Builder
		writeMarkdown(&b, imageDocument(img))
		verdict, rows := checkMarkdown(t, b.String())
		want := "❌ Replication failed"
		if msg := oneLine(s); msg != "" {
			want += ": " + safetext.Line(msg, maxMessage)
		}
		if want != verdict {
			t.Errorf("verdict = %q, want %q\nMarkdown:\n%s", verdict, want, b.String())
		}
		cell, status := safetext.Line(s, maxCell), safetext.Line(s, maxCell)
		if s == "" {
			cell, status = "–", "NOT_LISTED"
		}
		wantRows := [][]string{{"app:v1", cell, cell, status, "–", cell}}
		if diff := cmp.Diff(wantRows, rows); diff != "" {
			t.Errorf("cells of %q (-want +got):\n%s\nMarkdown:\n%s", s, diff, b.String())
		}
	})
}
