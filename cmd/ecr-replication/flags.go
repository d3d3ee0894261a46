package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/ecrkit/ecrreplication"
)

// programName is the command's name in messages and help.
const programName = "ecr-replication"

// globals are the flags every command accepts, before or after its name.
type globals struct {
	output      string
	quiet       bool
	endpointURL string
	profile     string
	region      string
	debug       bool
	version     bool
}

// defaultGlobals returns the globals before any flag is parsed.
func defaultGlobals() globals { return globals{output: "text"} }

// register defines the global flags on fs. The current values are the
// defaults, so that flags given before the command name survive the second
// parse after it.
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.output, "output", g.output, "output `format` on stdout: text or json")
	fs.BoolVar(&g.quiet, "quiet", g.quiet, "print no progress on stderr (errors are still printed)")
	fs.StringVar(&g.endpointURL, "endpoint-url", g.endpointURL, "send requests to this `URL` instead of the ECR endpoint of the region")
	fs.StringVar(&g.profile, "profile", g.profile, "use this `profile` from the AWS shared config and credentials files")
	fs.StringVar(&g.region, "region", g.region, "AWS `region` of the source registry (default: from AWS_REGION or the profile)")
	fs.BoolVar(&g.debug, "debug", g.debug, "log what the command does on stderr (never credentials)")
	fs.BoolVar(&g.version, "version", g.version, "print the version and exit")
}

// validate checks the global flags and returns the warnings to print. A
// user name or password in --endpoint-url is removed: requests are signed
// with SigV4, so it would never be used, only printed.
func (g *globals) validate() (warnings []string, err error) {
	switch g.output {
	case "text", "json":
	default:
		return nil, fmt.Errorf("--output %s is not a known format: use text or json", quote(g.output))
	}
	if strings.ContainsFunc(g.region, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-')
	}) {
		return nil, fmt.Errorf("--region %s is not a region name such as us-east-1", quote(g.region))
	}
	if g.endpointURL == "" {
		return nil, nil
	}
	u, err := url.Parse(g.endpointURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--endpoint-url %s is not an http or https URL such as https://api.ecr.us-east-1.amazonaws.com", quote(redacted(g.endpointURL)))
	}
	if u.User != nil {
		warnings = append(warnings, fmt.Sprintf("--endpoint-url %s: the user name and password are ignored (requests are signed with SigV4)", redacted(g.endpointURL)))
		u.User = nil
		g.endpointURL = u.String()
	}
	if host := u.Hostname(); u.Scheme == "http" && host != "localhost" && !net.ParseIP(host).IsLoopback() {
		warnings = append(warnings, fmt.Sprintf("--endpoint-url %s is plain HTTP to a host that is not this machine: requests, their signatures and any session token travel unencrypted; use https", g.endpointURL))
	}
	return warnings, nil
}

// redacted returns a URL with any user name and password replaced by
// "REDACTED", for messages; text that is not a URL is returned as it is.
func redacted(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User("REDACTED")
	return u.String()
}

// usageError reports a usage error of the command line and returns
// exitUsage; with --output json it also writes the command's document.
func (a *app) usageError(err error) int { return a.invalid(newResult(nil), err) }

// invalid reports err, a usage or validation error of the image of r found
// before any request, and returns exitUsage.
func (a *app) invalid(r result, err error) int {
	r.err, r.exitCode, r.errCode = err, exitUsage, codeInvalidInput
	if a.cmd == nil {
		a.printError(err, usageHint(nil))
		return exitUsage
	}
	return a.fail(r)
}

// fail reports how the command ended for the image of r before it was
// waited for (usage, validation, configuration) and returns its exit code:
// with --output json as the document of the command, a set's or an image's.
func (a *app) fail(r result) int {
	if a.setForm {
		return a.emit(nil, &r, 0)
	}
	return a.emit([]result{r}, nil, 0)
}

// usageHint points to the help of cmd, or to the top-level help.
func usageHint(cmd *command) string {
	if cmd == nil {
		return fmt.Sprintf("see '%s --help'", programName)
	}
	return fmt.Sprintf("see '%s %s --help'", programName, cmd.name)
}

// printError prints "error: msg" and an optional hint on stderr, each line
// made safe for the terminal.
func (a *app) printError(err error, hint string) {
	for i, line := range strings.Split(errorText(err), "\n") {
		if i == 0 {
			line = "error: " + line
		}
		a.say("%s", line)
	}
	if hint != "" {
		a.say("hint: %s", hint)
	}
}

// warn prints a warning on stderr, unless --quiet.
func (a *app) warn(msg string) {
	if !a.g.quiet {
		a.say("warning: %s", msg)
	}
}

// say writes one line on stderr, after the program's name, with every
// control character escaped and cut to maxLine characters
// (ecrreplication.SafeText), so that no value in it can add a line, move
// the cursor or change colours.
func (a *app) say(format string, v ...any) {
	fmt.Fprintf(a.stderr, "%s: %s\n", programName, ecrreplication.SafeText(fmt.Sprintf(format, v...), maxLine))
}

// maxLine is the most characters say prints of a line.
const maxLine = 4096

// quote renders s with %q, cut to 64 characters, so that hostile input can
// neither flood nor forge messages.
func quote(s string) string {
	const maxQuoted = 64
	if utf8.RuneCountInString(s) <= maxQuoted {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q...", string([]rune(s)[:maxQuoted]))
}

// flagForField names the command-line flag of a validated input field.
var flagForField = map[string]string{
	ecrreplication.FieldRepositoryName: "repository name (--repository)",
	ecrreplication.FieldRegistryID:     "registry ID (--registry-id)",
	ecrreplication.FieldImageTag:       "image tag (--tag)",
	ecrreplication.FieldImageDigest:    "image digest (--digest)",
}

// validationMessage rewrites a *ValidationError in the terms of the command
// line: one line per violation, such as
//
//	repository name (--repository) "Foo" must be lower case: ...
func validationMessage(err error) string {
	var ve *ecrreplication.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	lines := make([]string, 0, len(ve.Violations))
	for _, v := range ve.Violations {
		switch name, ok := flagForField[v.Field]; {
		case v.Field == ecrreplication.FieldImageID:
			lines = append(lines, "--tag or --digest is required: name the image by tag, by digest or by both")
		case ok && v.Value == "":
			lines = append(lines, name+" "+v.Constraint)
		case ok:
			lines = append(lines, fmt.Sprintf("%s %s %s", name, quote(v.Value), v.Constraint))
		default:
			lines = append(lines, fmt.Sprintf("%s %s %s", v.Field, quote(v.Value), v.Constraint))
		}
	}
	return strings.Join(lines, "\n  ")
}

// printTopHelp prints the program's help.
func (a *app) printTopHelp(w io.Writer) {
	fmt.Fprintf(w, `Usage: %[1]s [global flags] COMMAND [flags]

Reports and waits for Amazon ECR image replication (DescribeImageReplicationStatus),
for deployment pipelines. AWS credentials and region come from the same places
as for the AWS CLI: environment, --profile, shared config files, SSO, roles.

Commands:
`, programName)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, name := range []string{"status", "wait", "demo", "schema"} {
		fmt.Fprintf(tw, "  %s\t%s\n", name, commands[name].summary)
	}
	tw.Flush()
	fmt.Fprintf(w, `
Global flags (before or after the command name):
%s
Examples:
  %[2]s wait --repository my-app --tag v1.4.2 --timeout 20m
  %[2]s status --repository my-app --digest sha256:... --output json
  %[2]s wait --image team/api:v1.4.2 --image team/web:v1.4.2 --output json
  %[2]s wait --images-from images.txt --fail-fast
  %[2]s demo
  %[2]s schema > ecr-replication.schema.json

Run '%[2]s COMMAND --help' for a command's flags and output.
%[3]s`, globalFlagsHelp(), programName, exitCodesHelp)
}

// printCommandHelp prints a command's help: synopsis, description, its own
// flags, the global flags and the exit codes.
func (a *app) printCommandHelp(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "Usage: %s %s\n\n%s\n\nFlags:\n", programName, cmd.synopsis, strings.TrimSpace(cmd.help))
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	cmd.newFlags(fs)
	printFlags(w, fs)
	fmt.Fprintf(w, "\nGlobal flags (before or after the command name):\n%s%s", globalFlagsHelp(), exitCodesHelp)
}

// globalFlagsHelp returns the help lines of the global flags.
func globalFlagsHelp() string {
	var b strings.Builder
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	g := defaultGlobals()
	g.register(fs)
	printFlags(&b, fs)
	return b.String()
}

// printFlags prints the flags of fs in the manner of flag.PrintDefaults,
// but with two dashes.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if arg != "" {
			line += " " + arg
		}
		line += "\n      " + usage
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			line += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintln(w, line)
	})
}

// exitCodesHelp documents the exit codes.
const exitCodesHelp = `
Exit codes:
  0    complete: every destination is COMPLETE (status: the status was read)
  1    replication failed: a destination is FAILED, or no replication rule
       of the registry covers the repository (--expect-from-registry)
  2    usage, validation or configuration error; found before any request
  3    timed out before every destination was COMPLETE (wait --timeout)
  4    image or repository not found
  5    other errors: credentials, permissions, network, service, and no
       answer within status --timeout
  130  interrupted (Ctrl-C or SIGTERM)
  A wait for several images (--image, --images-from) exits with the worst
  of their codes, in this order: 130 > 2 > 5 > 4 > 3 > 1 > 0.
`
