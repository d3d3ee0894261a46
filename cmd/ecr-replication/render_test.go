package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// docJSON is the JSON document of d as --output json writes it, checked
// against the schema.
func docJSON(t *testing.T, d document) string {
	t.Helper()
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := validateOutput(string(b)); err != nil {
		t.Fatalf("the test's document breaks the schema: %v\n%s", err, b)
	}
	return string(b) + "\n"
}

// img is an image of a document with its outcome and destinations; an
// outcome other than complete gets an error of code, with message and
// reason.
func img(repo, tag string, o outcome, code, reason string, ds ...destinationDoc) imageDoc {
	d := imageDoc{Repository: repo, ImageTag: tag, Outcome: o, Complete: o == complete, ExitCode: o.info().exitCode, Attempts: 2, Answers: 2,
		Destinations: append([]destinationDoc{}, ds...)}
	if code != "" {
		d.Error = &errorDoc{Code: code, Message: "waiting for " + repo + ":" + tag + ": " + reason, Reason: reason}
	}
	return d
}

// renderDocs are documents for the render tests: a mixed set (a complete
// image, its duplicate, a hostile failure, a timeout) and one image.
func renderDocs(t *testing.T) (mixed, one string) {
	t.Helper()
	ok := img("team/api", "v1", complete, "", "", destDoc("us-east-2", "210987654321", "COMPLETE", "", 1.5, 2.75), destDoc("us-west-2", "123456789012", "COMPLETE", "", 0, 0.5))
	ok.Since = &sinceDoc{Source: "push", Time: time.Date(2025, 11, 27, 14, 3, 7, 0, time.UTC)}
	dup := ok
	dup.Duplicate = true
	dup.Destinations = []destinationDoc{destDoc("us-west-2", "123456789012", "COMPLETE", "", 0, 99)}
	hostileCode := "x|<b>\n::error::forged %0A,:"
	broken := img("web", "v1", failed, codeReplicationFailed, "failed to us-east-2 210987654321: "+hostileCode, destDoc("us-east-2", "210987654321", "FAILED", hostileCode))
	slow := img("slow", "v1", timedOut, codeTimeout, "timed out after 1.0 s; pending: us-west-2 123456789012", destDoc("us-west-2", "123456789012", "IN_PROGRESS", ""))
	slow.Error.Message += "\n  no further poll fits"
	mixed = docJSON(t, document{Images: []imageDoc{ok, dup, broken, slow}, Outcome: timedOut, ExitCode: exitTimeout, ElapsedSeconds: 2})
	one = docJSON(t, document{Images: []imageDoc{img("app", "v1", complete, "", "", destDoc("us-west-2", "123456789012", "COMPLETE", ""))}, Outcome: complete, Complete: true})
	return mixed, one
}

// render --output github writes one ::error per image that did not
// replicate, escaped as @actions/core escapes, and --github-output appends
// status (the outcome) and max-replication-seconds (duplicates left out)
// to what the file holds.
func TestRenderGitHub(t *testing.T) {
	mixed, one := renderDocs(t)
	usage := docJSON(t, document{Images: []imageDoc{}, Outcome: invalid, ExitCode: exitUsage,
		Error: &errorDoc{Code: "InvalidInput", Message: "--image and --images-from exclude --repository", Reason: "--image and --images-from exclude --repository"}})
	for _, tc := range []struct {
		name, doc, stdout, outputs string
	}{
		{
			name: "set",
			doc:  mixed,
			stdout: "::error title=Replication failed%3A web%3Av1::waiting for web:v1: failed to us-east-2 210987654321: x|<b>%0A::error::forged %250A,:\n" +
				"::error title=Timed out%3A slow%3Av1::waiting for slow:v1: timed out after 1.0 s; pending: us-west-2 123456789012%0A  no further poll fits\n",
			outputs: "status=timeout\nmax-replication-seconds=2.75\n",
		},
		{name: "one image", doc: one, outputs: "status=complete\nmax-replication-seconds=\n"},
		{
			name:    "set usage error",
			doc:     usage,
			stdout:  "::error title=Invalid input::--image and --images-from exclude --repository\n",
			outputs: "status=invalid-input\nmax-replication-seconds=\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			doc, outputs := filepath.Join(dir, "result.json"), filepath.Join(dir, "github_output")
			if err := os.WriteFile(doc, []byte(tc.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(outputs, []byte("earlier=1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			got := runWith(t.Context(), []string{"render", "--output", "github", "--github-output", outputs, doc})
			if got.code != exitOK || got.stderr != "" {
				t.Fatalf("exit code %d, stderr %q; want 0 and nothing", got.code, got.stderr)
			}
			if diff := cmp.Diff(tc.stdout, got.stdout); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			written, err := os.ReadFile(outputs)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff("earlier=1\n"+tc.outputs, string(written)); diff != "" {
				t.Errorf("--github-output file (-want +got):\n%s", diff)
			}
		})
	}
}

// The status output is the document's outcome, each its own word.
func TestRenderGitHubStatusWords(t *testing.T) {
	got, want := map[outcome]string{}, map[outcome]string{}
	for o := range outcomes {
		var b strings.Builder
		if err := writeGitHubOutputs(&b, document{Outcome: o}); err != nil {
			t.Fatal(err)
		}
		got[o] = b.String()
	}
	for _, word := range []string{"complete", "in-progress", "failed", "invalid-input", "timeout", "not-found", "error", "interrupted", "skipped"} {
		want[outcome(word)] = "status=" + word + "\nmax-replication-seconds=\n"
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

// escapeData and escapeProperty are @actions/core's (toCommandValue,
// escapeData, escapeProperty in packages/core/src/command.ts).
func TestRenderGitHubEscapes(t *testing.T) {
	for _, tc := range []struct{ in, data, property string }{
		{"plain text", "plain text", "plain text"},
		{"100%", "100%25", "100%25"},
		{"a\r\nb\nc\r", "a%0D%0Ab%0Ac%0D", "a%0D%0Ab%0Ac%0D"},
		{"%0A already", "%250A already", "%250A already"},
		{"k:v, w::x", "k:v, w::x", "k%3Av%2C w%3A%3Ax"},
		{"\n::error::forged", "%0A::error::forged", "%0A%3A%3Aerror%3A%3Aforged"},
	} {
		if got := escapeData(tc.in); got != tc.data {
			t.Errorf("escapeData(%q) = %q, want %q", tc.in, got, tc.data)
		}
		if got := escapeProperty(tc.in); got != tc.property {
			t.Errorf("escapeProperty(%q) = %q, want %q", tc.in, got, tc.property)
		}
	}
}

// render --output markdown (the default) writes the Markdown, from a file
// or stdin, in both forms.
func TestRenderMarkdown(t *testing.T) {
	set, image := renderDocs(t)
	for _, tc := range []struct {
		name, doc, want string
		args            []string
	}{
		{
			name: "set from stdin", doc: set, args: []string{"render", "-"},
			want: "❌ **2 of 3 images did not replicate**\\: 1 failed, 1 timed out · 1 replicated in 2.8 s from the push at 14\\:03\\:07 UTC\n" +
				"\n" +
				"- web\\:v1\\: failed to us-east-2 210987654321\\: x\\|\\<b\\>\\\\n\\:\\:error\\:\\:forged %0A,\\:\n" +
				"- slow\\:v1\\: timed out after 1.0 s; pending\\: us-west-2 123456789012\n" +
				"\n" +
				"| Image | Region | Registry | Status | Replication time | Failure code |\n" +
				"| --- | --- | --- | --- | --- | --- |\n" +
				"| web\\:v1 | us-east-2 | 210987654321 | FAILED | – | x\\|\\<b\\>\\\\n\\:\\:error\\:\\:forged %0A,\\: |\n" +
				"| slow\\:v1 | us-west-2 | 123456789012 | IN\\_PROGRESS | – | – |\n" +
				"| team/api\\:v1 | us-east-2 | 210987654321 | COMPLETE | 1.5–2.8 s | – |\n" +
				"| team/api\\:v1 | us-west-2 | 123456789012 | COMPLETE | ≤ 0.5 s | – |\n" +
				"\n",
		},
		{
			name: "image, --output markdown before the command", doc: image, args: []string{"--output", "markdown", "render", "-"},
			want: "✅ **app\\:v1 replicated** to 1 destination\n" +
				"\n" +
				"| Image | Region | Registry | Status | Replication time | Failure code |\n" +
				"| --- | --- | --- | --- | --- | --- |\n" +
				"| app\\:v1 | us-west-2 | 123456789012 | COMPLETE | – | – |\n" +
				"\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runWith(t.Context(), tc.args, func(e *environment) { e.stdin = strings.NewReader(tc.doc) })
			if got.code != exitOK || got.stderr != "" {
				t.Fatalf("exit code %d, stderr %q; want 0 and nothing", got.code, got.stderr)
			}
			if diff := cmp.Diff(tc.want, got.stdout); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			checkMarkdown(t, got.stdout)
		})
	}
}

// spaces reads as an endless run of spaces.
type spaces struct{}

// Read fills p with spaces.
func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// A usage error or a document that is not one of status, wait or demo exits
// 2 with one line saying what is wrong, writes nothing on stdout and
// nothing to --github-output.
func TestRenderErrors(t *testing.T) {
	_, image := renderDocs(t)
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := file("good.json", image)
	missing := filepath.Join(dir, "missing.json")
	outputs := filepath.Join(dir, "github_output")
	hint := "ecr-replication: hint: see 'ecr-replication render --help'\n"
	for _, tc := range []struct {
		name  string
		args  []string
		stdin io.Reader
		want  string // stderr
	}{
		{"no file", []string{"render"}, nil, "ecr-replication: error: render takes one FILE, or - for stdin; got 0 arguments\n"},
		{"two files", []string{"render", good, good}, nil, "ecr-replication: error: render takes one FILE, or - for stdin; got 2 arguments\n"},
		{"json", []string{"render", "--output", "json", good}, nil, `ecr-replication: error: render writes --output markdown or --output github, not "json": the document is already JSON` + "\n"},
		{"missing file", []string{"render", missing}, nil, "ecr-replication: error: cannot read the document: open " + missing + ": no such file or directory\n"},
		{"directory", []string{"render", dir}, nil, "ecr-replication: error: reading \"" + dir + "\": read " + dir + ": is a directory\n"},
		{"empty", []string{"render", "-"}, strings.NewReader(""), "ecr-replication: error: stdin is not a document of status, wait or demo --output json: not JSON: EOF\n"},
		{"text table", []string{"render", "-"}, strings.NewReader("REGION     REGISTRY\n"), "ecr-replication: error: stdin is not a document of status, wait or demo --output json: not JSON: invalid character 'R' looking for beginning of value\n"},
		{"two documents", []string{"render", "-"}, strings.NewReader(image + image), "ecr-replication: error: stdin is not a document of status, wait or demo --output json: not JSON: invalid character after top-level value\n"},
		{"array", []string{"render", "-"}, strings.NewReader("[]"), "ecr-replication: error: stdin is not a document of status, wait or demo --output json: at '': got array, want object\n"},
		{"unknown exit code", []string{"render", file("bad.json", strings.Replace(image, `"exitCode": 0`, `"exitCode": 7`, 1))}, nil,
			"ecr-replication: error: \"" + dir + "/bad.json\" is not a document of status, wait or demo --output json: at '/images/0/exitCode': value must be one of 0, 1, 2, 3, 4, 5, 130\n"},
		{"unknown field", []string{"render", "-"}, strings.NewReader(strings.Replace(image, `"attempts"`, `"extra": 1, "attempts"`, 1)),
			"ecr-replication: error: stdin is not a document of status, wait or demo --output json: at '/images/0': additional properties 'extra' not allowed\n"},
		{"set with a bad image", []string{"render", "-"}, strings.NewReader(`{"images":[{"repository":"app"}],"outcome":"complete","complete":true,"exitCode":0,"elapsedSeconds":1}`),
			"ecr-replication: error: stdin is not a document of status, wait or demo --output json: at '/images/0': missing properties 'registryId', 'imageDigest', 'imageTag', 'outcome', 'complete', 'destinations', 'malformedEntries', 'since', 'exitCode', 'attempts', 'answers', 'elapsedSeconds'\n"},
		{"one image alone", []string{"render", "-"}, strings.NewReader(`{"repository":"app","registryId":"","imageDigest":"","imageTag":"v1","outcome":"complete","complete":true,"destinations":[],"malformedEntries":0,"since":null,"exitCode":0,"attempts":1,"answers":1,"elapsedSeconds":0.1}`),
			"ecr-replication: error: stdin is not a document of status, wait or demo --output json: at '': missing property 'images'\n"},
		{"too large", []string{"render", "-"}, io.LimitReader(spaces{}, maxDocument+1), "ecr-replication: error: stdin is over 64 MiB: not a document of status, wait or demo\n"},
		{"unwritable --github-output", []string{"render", "--output", "github", "--github-output", dir, good}, nil, "ecr-replication: error: --github-output: open " + dir + ": is a directory\n"},
		{"unknown flag", []string{"render", "--github-outptu", outputs, good}, nil, "ecr-replication: error: unknown flag --github-outptu (did you mean --github-output?)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(outputs)
			got := runWith(t.Context(), append(tc.args[:1:1], append([]string{"--github-output", outputs}, tc.args[1:]...)...), func(e *environment) {
				if tc.stdin != nil {
					e.stdin = tc.stdin
				}
			})
			if got.code != exitUsage {
				t.Errorf("exit code %d, want 2", got.code)
			}
			if diff := cmp.Diff(tc.want+hint, got.stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if got.stdout != "" {
				t.Errorf("stdout = %q, want nothing", got.stdout)
			}
			if _, err := os.Stat(outputs); tc.name != "unwritable --github-output" && err == nil {
				t.Errorf("--github-output was written")
			}
		})
	}
}

// render is listed in the help, and named in the message of an unknown
// command.
func TestRenderHelp(t *testing.T) {
	got := runWith(t.Context(), []string{"--help"})
	if !strings.Contains(got.stdout, "\n  render   show a document of --output json as Markdown, or as GitHub Actions annotations and outputs\n") {
		t.Errorf("the help does not list render:\n%s", got.stdout)
	}
	got = runWith(t.Context(), []string{"render", "--help"})
	if got.code != exitOK || !strings.HasPrefix(got.stdout, "Usage: ecr-replication render [--output markdown|github] [--github-output FILE] FILE|-") {
		t.Errorf("render --help: exit code %d, stdout:\n%s", got.code, got.stdout)
	}
	got = runWith(t.Context(), []string{"rendr"})
	if !strings.Contains(got.stderr, `unknown command "rendr": the commands are status, wait, demo, render, schema`) {
		t.Errorf("stderr does not list render:\n%s", got.stderr)
	}
}
