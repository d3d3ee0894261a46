package main

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"regexp"
	"slices"
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
	// paragraphs are the plain text of each paragraph; items of each list
	// item.
	paragraphs, items []string
	lists             int
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
		case *ast.List:
			p.lists++
			for item := n.FirstChild(); item != nil; item = item.NextSibling() {
				for c := item.FirstChild(); c != nil; c = c.NextSibling() {
					p.items = append(p.items, plainText(t, c, source, &p))
				}
			}
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
var markdownTags = map[string]bool{"p": true, "strong": true, "ul": true, "li": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true}

// mention matches an '@' or '#' right before a word: a mention or an issue
// reference once GitHub renders it.
var mention = regexp.MustCompile(`[@#][\p{L}\p{N}_]`)

// checkMarkdown checks that src parses to a verdict paragraph with one
// strong emphasis, at most one list and at most one table of six columns,
// and nothing else: no link, autolink, HTML, code span, image, other
// emphasis, nor a mention or an issue reference; it returns the verdict's
// text, the list's items and the table's rows after the header.
func checkMarkdown(t testing.TB, src string) (verdict string, items []string, rows [][]string) {
	t.Helper()
	p := parseMarkdown(t, src)
	if len(p.paragraphs) != 1 || p.strong != 1 || len(p.other) > 0 || p.lists > 1 || len(p.tables) > 1 {
		t.Fatalf("the Markdown parses to %d paragraphs, %d strong emphasis, %d lists, %d tables and other nodes %q; want 1, 1, at most 1, at most 1 and none:\n%s",
			len(p.paragraphs), p.strong, p.lists, len(p.tables), p.other, src)
	}
	for _, tag := range p.tags {
		if !markdownTags[tag] {
			t.Errorf("the Markdown renders to an HTML element %q:\n%s", tag, src)
		}
	}
	texts := slices.Concat(p.paragraphs, p.items)
	for _, table := range p.tables {
		for _, row := range table {
			texts = append(texts, row...)
		}
	}
	for _, text := range texts {
		if m := mention.FindString(text); m != "" {
			t.Errorf("%q renders as a mention or an issue reference: %q\n%s", m, text, src)
		}
	}
	if len(p.tables) == 0 {
		return p.paragraphs[0], p.items, nil
	}
	table := p.tables[0]
	if diff := cmp.Diff(tableHeader, table[0]); diff != "" {
		t.Errorf("table header (-want +got):\n%s", diff)
	}
	for i, row := range table[1:] {
		if len(row) != len(tableHeader) {
			t.Errorf("row %d has %d cells, want %d: %q", i+1, len(row), len(tableHeader), row)
		}
	}
	return p.paragraphs[0], p.items, table[1:]
}

// destDoc is a destination of a document.
func destDoc(region, registryID, status, failureCode string, seconds ...float64) destinationDoc {
	d := destinationDoc{Region: region, RegistryID: registryID, Status: status, FailureCode: failureCode}
	if len(seconds) == 2 {
		d.ReplicationSeconds = &intervalDoc{Min: seconds[0], Max: seconds[1]}
	}
	return d
}

// failedDoc is the document of app:v1, failed with reason, with one
// destination.
func failedDoc(reason string, d destinationDoc) document {
	img := imageDoc{Repository: "app", ImageTag: "v1", Outcome: failed, ExitCode: exitFailed, Attempts: 1, Answers: 1, Destinations: []destinationDoc{d},
		Error: &errorDoc{Code: codeReplicationFailed, Message: "waiting for app:v1: " + reason, Reason: reason}}
	return document{Images: []imageDoc{img}, Outcome: failed, ExitCode: exitFailed}
}

// joined is s as markdownText shows it, once rendered: safetext.Line(s,
// limit) with a zero-width joiner after each '@' or '#' before a word.
func joined(s string, limit int) string {
	s = safetext.Line(s, limit)
	return regexp.MustCompile(`([@#])([\p{L}\p{N}_])`).ReplaceAllString(s, "$1\u200d$2")
}

// hostile are values that would break a naive table: Markdown, HTML,
// links and autolinks, workflow commands, mentions, control characters,
// edge spaces, and text over the cap. want is the cell's text as a GFM
// renderer shows it.
var hostile = []struct{ value, want string }{
	{"a|b", "a|b"},
	{"`code` ``x``", "`code` ``x``"},
	{"<script>alert(1)</script>", "<script>alert(1)</script>"},
	{"<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"},
	{"&amp; &lt;b&gt; &#124; &#x7c;", "&amp; &lt;b&gt; &#\u200d124; &#\u200dx7c;"},
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
	{"mail admin@evil.example", "mail admin@\u200devil.example"},
	{"mailto:admin@evil.example xmpp:a@evil.example", "mailto:admin@\u200devil.example xmpp:a@\u200devil.example"},
	{"<http://evil.example> <admin@evil.example>", "<http://evil.example> <admin@\u200devil.example>"},
	{"(www.evil.example) *www.evil.example*", "(www.evil.example) *www.evil.example*"},
	{" padded  twice ", " padded  twice "},
	{"   ", "   "},
	{"%0A::error::forged %25", "%0A::error::forged %25"},
	{"$x^2$ $$y$$ :smile: #123 @octocat", "$x^2$ $$y$$ :smile: #\u200d123 @\u200doctocat"},
	{"cc @octo-org/team, org/repo#12, #_x @é @ # @@x", "cc @\u200docto-org/team, org/repo#\u200d12, #\u200d_x @\u200dé @ # @@\u200dx"},
	{"\u202eevil\u2028x\u200d", `\u202eevil\u2028x\u200d`},
	{"\xff\xfe", `\xff\xfe`},
	{"| --- | --- |", "| --- | --- |"},
	{"- [ ] task", "- [ ] task"},
	{"# heading", "# heading"},
	{"> quote", "> quote"},
	{"trailing\\", "trailing\\"},
	{strings.Repeat("é", 130), strings.Repeat("é", 128) + "…"},
}

// Hostile values from the service or the user show in the table exactly as
// safetext.Line writes them, in their own cell, and in the verdict: nothing
// else parses, and no '@' or '#' becomes a mention or a reference.
func TestMarkdownHostileCells(t *testing.T) {
	for _, h := range hostile {
		t.Run(fmt.Sprintf("%.20q", h.value), func(t *testing.T) {
			var b strings.Builder
			writeMarkdown(&b, failedDoc("failed: "+h.value, destDoc(h.value, h.value, h.value, h.value, 1, 2)))
			verdict, _, rows := checkMarkdown(t, b.String())
			if diff := cmp.Diff("❌ app:v1 did not replicate"+joined(": failed: "+h.value, maxMessage), verdict); diff != "" {
				t.Errorf("verdict (-want +got):\n%s", diff)
			}
			wantRows := [][]string{{"app:v1", h.want, h.want, h.want, "1.0–2.0 s", h.want}}
			if diff := cmp.Diff(wantRows, rows); diff != "" {
				t.Errorf("cells (-want +got):\n%s\nMarkdown:\n%s", diff, b.String())
			}
		})
	}
}

// A hostile tag or repository is quoted in the image's name (Report.Name)
// and escaped like every value, in the list of a set and in the table.
func TestMarkdownHostileImageName(t *testing.T) {
	img := failedDoc("x", destDoc("us-west-2", "", "FAILED", "")).Images[0]
	img.Repository, img.ImageTag = "team/<b>api</b>", "v1|`x`\n[y](www.evil.example)@a"
	var b strings.Builder
	writeMarkdown(&b, document{Images: []imageDoc{img, img}, Outcome: failed})
	_, items, rows := checkMarkdown(t, b.String())
	name := `"team/<b>api</b>":"v1|` + "`x`" + `\n[y](www.evil.example)@` + "\u200d" + `a"`
	if diff := cmp.Diff([]string{name + ": x", name + ": x"}, items); diff != "" {
		t.Errorf("items (-want +got):\n%s\nMarkdown:\n%s", diff, b.String())
	}
	if diff := cmp.Diff([][]string{{name, "us-west-2", "–", "FAILED", "–", "–"}, {name, "us-west-2", "–", "FAILED", "–", "–"}}, rows); diff != "" {
		t.Errorf("cells (-want +got):\n%s\nMarkdown:\n%s", diff, b.String())
	}
}

// markdownText, alone: the exact escapes.
func TestMarkdownText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"us-west-2", "us-west-2"},
		{"team/api:v1.0", `team/api\:v1.0`},
		{"a|b`c*d_e[f]g<h>i&j~k\\l@m#n$o", `a\|b\` + "`" + `c\*d\_e\[f\]g\<h\>i\&j\~k\\l\@` + "\u200d" + `m\#` + "\u200d" + `n\$o`},
		{"@ #", `\@ \#`},
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

// --output markdown and --output github of status and wait are the render
// of their --output json: one renderer, from the document.
func TestMarkdownLiveIsRenderOfJSON(t *testing.T) {
	run := func(t *testing.T, args ...string) ran {
		var got ran
		synctest.Test(t, func(t *testing.T) {
			srv := newServer(t, true)
			push(t, srv, "team/api", "v1")
			push(t, srv, "web", "v1", failedOn...)
			never := ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}
			push(t, srv, "slow", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: never}, ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: never})
			push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "<b>|x|</b>\n::error::forged @admin"}})
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
				if diff := cmp.Diff(rendered.stdout, live.stdout); diff != "" {
					t.Errorf("--output %s is not the render of --output json (-render +live):\n%s", format, diff)
				}
				if format == "markdown" {
					checkMarkdown(t, live.stdout)
				}
			}
		})
	}
}

// FuzzMarkdownCell: whatever a value holds, its cell shows exactly its
// safetext.Line form, joined ("–" for an empty value; NOT_LISTED for an
// empty status), the verdict shows the reason's, and nothing but the
// verdict's strong emphasis and one table of one row parses: no link,
// autolink, HTML, code span, mention or issue reference.
func FuzzMarkdownCell(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.value)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		writeMarkdown(&b, failedDoc("failed: "+s, destDoc(s, s, s, s)))
		verdict, _, rows := checkMarkdown(t, b.String())
		if want := "❌ app:v1 did not replicate" + joined(": failed: "+s, maxMessage); want != verdict {
			t.Errorf("verdict = %q, want %q\nMarkdown:\n%s", verdict, want, b.String())
		}
		cell, status := joined(s, maxCell), joined(s, maxCell)
		if s == "" {
			cell, status = "–", "NOT_LISTED"
		}
		wantRows := [][]string{{"app:v1", cell, cell, status, "–", cell}}
		if diff := cmp.Diff(wantRows, rows); diff != "" {
			t.Errorf("cells of %q (-want +got):\n%s\nMarkdown:\n%s", s, diff, b.String())
		}
	})
}
