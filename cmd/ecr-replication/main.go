// Command ecr-replication reports and waits for Amazon ECR image replication,
// for deployment pipelines: "ecr-replication --help" lists its commands.
// status, wait and demo write one document, a set of images each with its
// outcome (schema/output.schema.json), from which every view is rendered.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// main runs the command with a context that ends on Ctrl-C or SIGTERM.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// environment is what run takes from its surroundings, for tests and the
// demo; zero values mean the real ones.
type environment struct {
	httpClient    aws.HTTPClient
	configOptions []func(*config.LoadOptions) error
	loadConfig    func(ctx context.Context, g *globals) (aws.Config, error)
	stdin         io.Reader
}

// run is the whole program: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, opts ...func(*environment)) int {
	var env environment
	for _, fn := range opts {
		fn(&env)
	}
	if env.stdin == nil {
		env.stdin = os.Stdin
	}
	a := &app{env: env, stdout: stdout, stderr: &syncWriter{w: stderr}}
	return a.main(ctx, args)
}

// app is one run; cmd is nil before the command's name is parsed.
type app struct {
	env            environment
	stdout, stderr io.Writer
	g              globals
	cmd            *command
	debug          *debugLog
	onePollHint    string
}

// command is a subcommand: newFlags defines its flags and returns its body.
type command struct {
	name, synopsis, summary, help string
	newFlags                      func(fs *flag.FlagSet) func(ctx context.Context, a *app, fs *flag.FlagSet) int
	args, document                bool
}

// commandNames are the commands in the order of the help.
var (
	commandNames = []string{"status", "wait", "demo", "render", "schema", "version"}
	commands     = map[string]*command{"status": statusCommand, "wait": waitCommand, "demo": demoCommand,
		"render": renderCommand, "schema": schemaCommand, "version": versionCommand}
)

// main parses the global flags and the command's name, and runs it.
func (a *app) main(ctx context.Context, args []string) int {
	a.g = defaultGlobals()
	fs := flag.NewFlagSet(programName, flag.ContinueOnError)
	a.g.register(fs)
	err := parseFlags(fs, args)
	rest := fs.Args()
	switch {
	case errors.Is(err, flag.ErrHelp), err == nil && len(rest) == 1 && rest[0] == "help":
		printTopHelp(a.stdout)
		return exitOK
	case err != nil:
		return a.usageError(err)
	case a.g.version:
		return a.printVersion()
	case len(rest) == 0:
		printTopHelp(a.stderr)
		return exitUsage
	case rest[0] == "help":
		rest = []string{rest[1], "--help"}
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		return a.usageError(fmt.Errorf("unknown command %s: the commands are status, wait, demo, render, schema and version%s", quote(rest[0]), didYouMean(rest[0], commandNames, "")))
	}
	return a.runCommand(ctx, cmd, rest[1:])
}

// runCommand parses a command's flags and runs it.
func (a *app) runCommand(ctx context.Context, cmd *command, args []string) int {
	a.cmd = cmd
	fs := flag.NewFlagSet(programName+" "+cmd.name, flag.ContinueOnError)
	body := cmd.newFlags(fs)
	a.g.register(fs)
	warnings, err := []string(nil), parseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printHelp(a.stdout, cmd)
		return exitOK
	case err != nil:
		return a.usageError(err)
	case a.g.version:
		return a.printVersion()
	case fs.NArg() > 0 && !cmd.args:
		return a.usageError(fmt.Errorf("unexpected argument %s (flags take the form --name value)", quote(fs.Arg(0))))
	}
	if warnings, err = a.g.validate(); err != nil {
		return a.usageError(err)
	}
	if a.g.debug {
		a.debug = &debugLog{w: a.stderr, start: time.Now()}
	}
	a.debug.logf("%s %s: output=%s quiet=%t region=%q profile=%q endpoint-url=%q", programName, cmd.name, a.g.output, a.g.quiet, a.g.region, a.g.profile, redacted(a.g.endpointURL))
	for _, w := range warnings {
		a.warn(w)
	}
	return body(ctx, a, fs)
}

// syncWriter writes whole lines from several goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p, one caller at a time.
func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// printTopHelp prints the program's help, its commands listed.
func printTopHelp(w io.Writer) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, name := range commandNames {
		fmt.Fprintf(tw, "  %s\t%s\n", name, commands[name].summary)
	}
	tw.Flush()
	printHelp(w, &command{synopsis: "[global flags] COMMAND [flags]", help: fmt.Sprintf(topHelp, b.String())})
}

// printHelp prints a command's help: what it does, its flags, the global
// flags and the exit codes.
func printHelp(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "Usage: %s %s\n\n%s\n", programName, cmd.synopsis, strings.TrimSpace(cmd.help))
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	if cmd.newFlags != nil {
		cmd.newFlags(fs)
	}
	var flags strings.Builder
	if printFlags(&flags, fs); flags.Len() > 0 {
		fmt.Fprint(w, "\nFlags:\n", flags.String())
	}
	fs = flag.NewFlagSet("", flag.ContinueOnError)
	g := defaultGlobals()
	g.register(fs)
	fmt.Fprintln(w, "\nGlobal flags (before or after the command name):")
	printFlags(w, fs)
	fmt.Fprint(w, exitCodesHelp)
}

// printFlags prints the flags of fs as flag.PrintDefaults does, but with
// two dashes.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		line := strings.TrimSuffix("  --"+f.Name+" "+arg, " ") + "\n      " + usage
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			line += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintln(w, line)
	})
}

// topHelp is the program's description in its help, %s its commands.
const topHelp = `
Reports and waits for Amazon ECR image replication, for deployment pipelines.
AWS credentials and region come from the same places as for the AWS CLI.

Commands:
%s
Examples:
  ecr-replication wait --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v1.4.2
  ecr-replication render result.json >> "$GITHUB_STEP_SUMMARY"

Run 'ecr-replication COMMAND --help' for a command's flags.`

// exitCodesHelp documents the exit codes, the outcomes they stand for.
const exitCodesHelp = `
Exit codes (outcome):
  0    complete: every destination is COMPLETE (status: the status was read)
  1    failed: a destination is FAILED, or no replication rule of the
       registry covers the repository (--expect-from-registry)
  2    invalid-input: usage, validation or configuration error; nothing sent
  3    timeout: --timeout ran out before every destination was COMPLETE
  4    not-found: image or repository not found
  5    error: credentials, permissions, network, service; status --timeout
  130  interrupted (Ctrl-C or SIGTERM)
  A set exits with its most severe outcome: 130 > 2 > 5 > 4 > 3 > 1 > 0.
`
