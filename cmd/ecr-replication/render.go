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
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// document is the JSON document of status, wait or demo, of one image or
// of a set, as the Markdown (--output markdown) and the GitHub Actions
// workflow commands (--output github) show it. The commands render it from
// their results; render reads it from a file that --output json wrote.
type document struct {
	// set says that the document is a set's ({"images": [...]}).
	set bool
	// images are the images in the order given, duplicates included.
	images []imageDoc
	// err is the set's own error, found before any image was waited for.
	err      *errorDoc
	exitCode int
	// elapsed is the time the command took, in seconds.
	elapsed float64
}

// imageDocument is the document of one image (status, wait --repository).
func imageDocument(d imageDoc) document {
	return document{images: []imageDoc{d}, exitCode: d.ExitCode, elapsed: d.ElapsedSeconds}
}

// setDocument is the document of a set (wait --image, --images-from).
func setDocument(d setDoc) document {
	return document{set: true, images: d.Images, err: d.Error, exitCode: d.ExitCode, elapsed: d.ElapsedSeconds}
}

// unique returns the images of d without the duplicates (an input that
// names the same image as an earlier one).
func (d document) unique() []imageDoc {
	var out []imageDoc
	for _, img := range d.images {
		if !img.Duplicate {
			out = append(out, img)
		}
	}
	return out
}

// writeRendered writes on stdout the Markdown or the workflow commands of
// how the command ended, made from the same document as --output json
// (emit's arguments). render's own usage errors have no document.
func (a *app) writeRendered(results []result, setErr *result, code int, elapsed time.Duration) {
	if a.cmd == renderCommand {
		return
	}
	var d document
	if a.setForm {
		d = setDocument(newSetDoc(results, setErr, code, elapsed))
	} else {
		r := results[0]
		if setErr != nil {
			r = *setErr
		}
		d = imageDocument(r.doc())
	}
	if a.g.output == "github" {
		writeAnnotations(a.stdout, d)
		return
	}
	writeMarkdown(a.stdout, d)
}

// maxDocument is the largest document render reads. wait writes about
// 17 MiB for its largest set, 10,000 images, with 4 destinations each; 64 MiB
// holds 19 destinations each.
const maxDocument = 64 << 20

// renderCommand is "ecr-replication render".
var renderCommand = &command{
	name:     "render",
	synopsis: "render [--output markdown|github] [--github-output FILE] FILE|- [global flags]",
	summary:  "show a document of --output json as Markdown or as GitHub Actions annotations and outputs",
	help: `
Reads the JSON document that status, wait or demo wrote with --output json
(of one image or of a set; "-" reads stdin), checks it against the JSON
Schema ('ecr-replication schema'), and writes on stdout:

  --output markdown  (the default) the document as GitHub-flavoured Markdown,
                     as status, wait and demo write it with --output markdown:
                     a one-line verdict and a table of the destinations, for
                     $GITHUB_STEP_SUMMARY, a pull-request comment or a chat
  --output github    GitHub Actions workflow commands: one ::error annotation
                     for each image that did not complete, and for an error
                     of the whole set, escaped as @actions/core escapes them

--github-output FILE appends two outputs to FILE, in the name=value form of
$GITHUB_OUTPUT: status (complete, failed, invalid-input, timeout, not-found,
error or interrupted, from the document's exitCode 0, 1, 2, 3, 4, 5 or 130)
and max-replication-seconds (the longest replicationSeconds.max of the
images' destinations, duplicates left out; empty when there is none).

Every value is escaped: no tag, region, failure code or message can break
the table, add HTML or a link, or forge a workflow command. The exit code is
0 whenever the document could be rendered, whatever it says (its exitCode is
in the status output); 2 for a usage error or a document that is not one of
status, wait or demo (over 64 MiB, not JSON, or not valid under the schema).

Examples:
  ecr-replication wait --image team/api:v1 --output json > result.json
  ecr-replication render result.json >> "$GITHUB_STEP_SUMMARY"
  ecr-replication render --output github --github-output "$GITHUB_OUTPUT" result.json
  ecr-replication status --repository app --tag v1 --output json | ecr-replication render -`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		var githubOutput string
		fs.StringVar(&githubOutput, "github-output", "", "append status=WORD and max-replication-seconds=N to `FILE`, such as $GITHUB_OUTPUT")
		return func(_ context.Context, a *app, fs *flag.FlagSet) int {
			return a.render(fs.Args(), githubOutput)
		}
	},
	args: true,
}

// render runs the render command on the document named by args.
func (a *app) render(args []string, githubOutput string) int {
	usage := func(format string, v ...any) int {
		a.printError([]string{fmt.Sprintf(format, v...)}, usageHint(a.cmd))
		return exitUsage
	}
	if len(args) != 1 {
		return usage("render takes one FILE, or - for stdin; got %d arguments", len(args))
	}
	format := a.g.output
	switch format {
	case "text", "markdown":
		format = "markdown"
	case "github":
	default:
		return usage("render writes --output markdown or --output github, not %s: the document is already JSON", quote(format))
	}
	d, err := a.readDocument(args[0])
	if err != nil {
		return usage("%v", err)
	}
	var out *os.File
	if githubOutput != "" {
		out, err = os.OpenFile(githubOutput, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return usage("--github-output: %v", err)
		}
		defer out.Close()
	}
	if format == "github" {
		writeAnnotations(a.stdout, d)
	} else {
		writeMarkdown(a.stdout, d)
	}
	if out != nil {
		if err := writeGitHubOutputs(out, d); err != nil {
			a.printError([]string{fmt.Sprintf("--github-output %s: %v", quote(githubOutput), err)}, "")
			return exitOther
		}
		if err := out.Close(); err != nil {
			a.printError([]string{fmt.Sprintf("--github-output %s: %v", quote(githubOutput), err)}, "")
			return exitOther
		}
	}
	return exitOK
}

// readDocument reads, checks and decodes the document in the file at path,
// or on stdin for "-". Its errors name the file and what is wrong, on one
// line.
func (a *app) readDocument(path string) (document, error) {
	name := quote(path)
	var r io.Reader
	if path == "-" {
		r, name = a.env.stdin, "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return document{}, fmt.Errorf("cannot read the document: %w", err)
		}
		defer f.Close()
		r = f
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

// parseDocument checks that text is one JSON document valid under the
// output's JSON Schema, of one image or of a set, and decodes it.
func parseDocument(text []byte) (document, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return document{}, fmt.Errorf("not JSON: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return document{}, errors.New("not a JSON object")
	}
	_, isSet := obj["images"]
	schemas, err := documentSchemas()
	if err != nil { // cannot happen: the tests compile the schema
		return document{}, fmt.Errorf("the schema does not compile: %v", err)
	}
	sch := schemas[0]
	if isSet {
		sch = schemas[1]
	}
	if err := sch.Validate(v); err != nil {
		return document{}, schemaProblem(err)
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if isSet {
		var sd setDoc
		if err := dec.Decode(&sd); err != nil {
			return document{}, err
		}
		return setDocument(sd), nil
	}
	var id imageDoc
	if err := dec.Decode(&id); err != nil {
		return document{}, err
	}
	return imageDocument(id), nil
}

// documentSchemas are the compiled schemas of an image's document and of a
// set's, from the embedded JSON Schema, with format assertions.
var documentSchemas = sync.OnceValues(func() ([2]*jsonschema.Schema, error) {
	var out [2]*jsonschema.Schema
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return out, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("output.schema.json", doc); err != nil {
		return out, err
	}
	for i, def := range []string{"image", "set"} {
		if out[i], err = c.Compile("output.schema.json#/$defs/" + def); err != nil {
			return out, err
		}
	}
	return out, nil
})

// schemaProblem is the first problem of a schema validation error, on one
// line, such as
//
//	at '/images/0/exitCode': value must be one of 0, 1, 2, 3, 4, 5, 130
func schemaProblem(err error) error {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	return errors.New(strings.Join(strings.Fields(ve.Error()), " "))
}
