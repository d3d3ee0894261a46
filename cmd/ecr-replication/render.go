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

// maxDocument is the largest document render reads. wait writes about
// 17 MiB for its largest set, 10,000 images with 4 destinations each.
const maxDocument = 64 << 20

// renderCommand is "ecr-replication render".
var renderCommand = &command{
	name:     "render",
	synopsis: "render [--output markdown|github] [--github-output FILE] FILE|- [global flags]",
	summary:  "show a document of --output json as Markdown, or as GitHub Actions annotations and outputs",
	help: `
Reads the document that status, wait or demo wrote with --output json ("-"
reads stdin), checks it against the JSON Schema ('ecr-replication schema'),
and writes on stdout what those commands write with:

  --output markdown  (the default) a verdict, a line per image that did not
                     replicate and a table, GitHub-flavoured, for
                     $GITHUB_STEP_SUMMARY, a pull-request comment or a chat
  --output github    GitHub Actions workflow commands: an ::error annotation
                     per image that did not replicate

--github-output FILE appends two outputs in the form of $GITHUB_OUTPUT:
status, the document's outcome (complete, failed, invalid-input, timeout,
not-found, error or interrupted; status's in-progress), and
max-replication-seconds, the longest replicationSeconds.max of the images
(empty when there is none).

Every value is escaped: none can break the table, add HTML, a link or a
mention, or forge a workflow command. Exit code 0 whenever the document was
rendered, whatever it says; 2 for a usage error or a file that is not a
document (over 64 MiB, not JSON, or not valid under the schema).

Examples:
  ecr-replication wait --image team/api:v1 --output json > result.json
  ecr-replication render result.json >> "$GITHUB_STEP_SUMMARY"
  ecr-replication render --output github --github-output "$GITHUB_OUTPUT" result.json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		var githubOutput string
		fs.StringVar(&githubOutput, "github-output", "", "append status=OUTCOME and max-replication-seconds=N to `FILE`, such as $GITHUB_OUTPUT")
		return func(_ context.Context, a *app, fs *flag.FlagSet) int {
			return a.render(fs.Args(), githubOutput)
		}
	},
	args: true,
}

// render runs the render command on the document named by args.
func (a *app) render(args []string, githubOutput string) int {
	if len(args) != 1 {
		return a.usageError(fmt.Errorf("render takes one FILE, or - for stdin; got %d arguments", len(args)))
	}
	if a.g.output != "text" && a.g.output != "markdown" && a.g.output != "github" {
		return a.usageError(fmt.Errorf("render writes --output markdown or --output github, not %s: the document is already JSON", quote(a.g.output)))
	}
	d, err := a.readDocument(args[0])
	if err != nil {
		return a.usageError(err)
	}
	var out *os.File
	if githubOutput != "" {
		if out, err = os.OpenFile(githubOutput, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err != nil {
			return a.usageError(fmt.Errorf("--github-output: %w", err))
		}
		defer out.Close()
	}
	if a.g.output == "github" {
		writeAnnotations(a.stdout, d)
	} else {
		writeMarkdown(a.stdout, d)
	}
	if out != nil {
		if err := writeGitHubOutputs(out, d); err == nil {
			err = out.Close()
		}
		if err != nil {
			a.printError([]string{fmt.Sprintf("--github-output %s: %v", quote(githubOutput), err)})
			return exitOther
		}
	}
	return exitOK
}

// readDocument reads, checks and decodes the document in the file at path,
// or on stdin for "-". Its errors name the file and what is wrong, on one
// line.
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
	if err != nil {
		return document{}, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(text) > maxDocument {
		return document{}, fmt.Errorf("%s is over %d MiB: not a document of status, wait or demo", name, maxDocument>>20)
	}
	d, err := parseDocument(text)
	if err != nil {
		return document{}, fmt.Errorf("%s is not a document of status, wait or demo --output json: %v", name, err)
	}
	return d, nil
}

// parseDocument checks that text is one JSON document valid under the JSON
// Schema, and decodes it.
func parseDocument(text []byte) (document, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return document{}, fmt.Errorf("not JSON: %v", err)
	}
	sch, err := documentSchema()
	if err != nil { // cannot happen: the tests compile the schema
		return document{}, fmt.Errorf("the schema does not compile: %v", err)
	}
	if err := sch.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		for errors.As(err, &ve) && len(ve.Causes) > 0 {
			err = ve.Causes[0]
		}
		return document{}, errors.New(strings.Join(strings.Fields(err.Error()), " "))
	}
	var d document
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	return d, dec.Decode(&d)
}

// documentSchema is the compiled JSON Schema, with format assertions.
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
