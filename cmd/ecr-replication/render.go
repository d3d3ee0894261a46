package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// maxDocument is the largest document render reads: wait writes about
// 17 MiB for 10,000 images of 4 destinations.
const maxDocument = 64 << 20

// renderCommand is "ecr-replication render".
var renderCommand = &command{
	name:     "render",
	synopsis: "render [--output markdown|github] [--github-output FILE] FILE|- [global flags]",
	summary:  "show a document of --output json as Markdown, or as GitHub Actions annotations and outputs",
	help: `
Reads a document of status, wait or demo --output json (FILE, or - for
stdin), checks it against the schema, and writes it as those commands would
with --output markdown (the default) or --output github. Every value is
escaped. Exit code 0 when the document was rendered, 2 for a usage error or a
file that is not a document.

Examples:
  ecr-replication render result.json >> "$GITHUB_STEP_SUMMARY"
  ecr-replication render --output github --github-output "$GITHUB_OUTPUT" result.json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		githubOutput := fs.String("github-output", "", "append status=OUTCOME and max-replication-seconds=N to `FILE`, such as $GITHUB_OUTPUT")
		return func(_ context.Context, a *app, fs *flag.FlagSet) int { return a.render(fs.Args(), *githubOutput) }
	},
	args: true,
}

// render runs the render command on the document named by args.
func (a *app) render(args []string, githubOutput string) int {
	if len(args) != 1 {
		return a.usageError(fmt.Errorf("render takes one FILE, or - for stdin; got %d arguments", len(args)))
	} else if a.g.output == "json" {
		return a.usageError(errors.New(`render writes --output markdown or --output github, not "json": the document is already JSON`))
	}
	d, err := a.readDocument(args[0])
	if err != nil {
		return a.usageError(err)
	}
	out, err := openAppend("--github-output", githubOutput)
	if err != nil {
		return a.usageError(err)
	}
	defer out.Close()
	if a.g.output == "github" {
		writeAnnotations(a.stdout, d)
	} else {
		writeMarkdown(a.stdout, d)
	}
	if out != nil {
		if err := writeGitHubOutputs(out, d); err != nil || out.Close() != nil {
			a.printError([]string{fmt.Sprintf("--github-output %s: cannot write: %v", quote(githubOutput), err)})
			return exitOther
		}
	}
	return exitOK
}

// readDocument reads, checks and decodes the document in the file at path,
// or on stdin for "-"; its errors say on one line what is wrong.
func (a *app) readDocument(path string) (document, error) {
	r, name := a.env.stdin, "stdin"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return document{}, fmt.Errorf("cannot read the document: %w", err)
		}
		defer f.Close()
		r, name = f, quote(path)
	}
	text, err := io.ReadAll(io.LimitReader(r, maxDocument+1))
	switch {
	case err != nil:
		return document{}, fmt.Errorf("reading %s: %w", name, err)
	case len(text) > maxDocument:
		return document{}, fmt.Errorf("%s is over %d MiB: not a document of status, wait or demo", name, maxDocument>>20)
	}
	d, err := parseDocument(text)
	if err != nil {
		return document{}, fmt.Errorf("%s is not a document of status, wait or demo --output json: %v", name, err)
	}
	return d, nil
}

// parseDocument checks that text is one JSON document valid under the
// schema, and decodes it; an error names the first problem.
func parseDocument(text []byte) (d document, err error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return d, fmt.Errorf("not JSON: %v", err)
	}
	sch, err := documentSchema()
	if err == nil {
		err = sch.Validate(v)
	}
	var ve *jsonschema.ValidationError
	for errors.As(err, &ve) && len(ve.Causes) > 0 {
		err = ve.Causes[0]
	}
	if err != nil {
		return d, errors.New(strings.Join(strings.Fields(err.Error()), " "))
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	return d, dec.Decode(&d)
}

// documentSchema is the compiled schema, with format assertions.
var documentSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("output.schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("output.schema.json")
})
