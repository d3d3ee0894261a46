// Command ecr-replication reports and waits for Amazon ECR image replication,
// for use in deployment pipelines.
//
//	ecr-replication status --repository NAME (--tag T | --digest D)
//	ecr-replication wait   --repository NAME (--tag T | --digest D) [--timeout 30m]
//	ecr-replication wait   --image REF ... | --images-from FILE|- ... [--fail-fast]
//	ecr-replication demo   [--fail] [--speed N]
//	ecr-replication render [--output markdown|github] [--github-output FILE] FILE|-
//	ecr-replication schema | version
//
// status, wait and demo write one document, a set of images (one image is a
// set of one), each image with its outcome; the JSON Schema in
// schema/output.schema.json describes it. Every view (text, Markdown,
// annotations, step outputs) is rendered from that document.
//
// Run "ecr-replication --help" or "ecr-replication COMMAND --help" for the
// flags and the exit codes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

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

// environment is what run takes from its surroundings; tests and the demo
// replace parts of it. The zero value means the real world: stderr's own
// terminal detection, the SDK's HTTP client and config.LoadDefaultConfig
// (configOptions are added to it; loadConfig replaces it), and os.Stdin.
type environment struct {
	terminal      *bool
	httpClient    aws.HTTPClient
	configOptions []func(*config.LoadOptions) error
	loadConfig    func(ctx context.Context, g *globals) (aws.Config, error)
	stdin         io.Reader
}

// run is the whole program: it parses args, runs the command, writes results
// to stdout and messages to stderr, and returns the exit code. It stops
// promptly when ctx ends, with exit code 130.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, opts ...func(*environment)) int {
	var env environment
	for _, fn := range opts {
		fn(&env)
	}
	if env.terminal == nil {
		tty := isTerminal(stderr)
		env.terminal = &tty
	}
	if env.stdin == nil {
		env.stdin = os.Stdin
	}
	// Progress and debug lines come from several goroutines: whole lines.
	a := &app{env: env, stdout: stdout, stderr: &syncWriter{w: stderr}}
	return a.main(ctx, args)
}

// app holds the state of one run: cmd is nil before the command's name is
// parsed; onePollHint, when set, is the hint of a timeout.
type app struct {
	env            environment
	stdout, stderr io.Writer
	g              globals
	cmd            *command
	debug          *debugLog
	onePollHint    string
}

// commands maps command names to their implementations.
var commands = map[string]*command{
	"status": statusCommand, "wait": waitCommand, "demo": demoCommand,
	"render": renderCommand, "schema": schemaCommand, "version": versionCommand,
}

// commandNames are the commands in the order of the help.
var commandNames = []string{"status", "wait", "demo", "render", "schema", "version"}

// command is one subcommand. newFlags defines its flags on fs and returns
// its body; args lets it take arguments after them; document says that it
// writes a document (status, wait, demo), also for a usage error.
type command struct {
	name, synopsis, summary, help string
	newFlags                      func(fs *flag.FlagSet) func(ctx context.Context, a *app, fs *flag.FlagSet) int
	args, document                bool
}

// main parses the global flags and the command name, then runs the command.
func (a *app) main(ctx context.Context, args []string) int {
	a.g = defaultGlobals()
	fs := flag.NewFlagSet(programName, flag.ContinueOnError)
	a.g.register(fs)
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.printTopHelp(a.stdout)
			return exitOK
		}
		return a.usageError(err)
	}
	if a.g.version {
		return a.printVersion()
	}
	rest := fs.Args()
	if len(rest) == 0 {
		a.printTopHelp(a.stderr)
		return exitUsage
	}
	name := rest[0]
	if name == "help" && len(rest) == 1 {
		a.printTopHelp(a.stdout)
		return exitOK
	}
	if name == "help" {
		name, args = rest[1], []string{"--help"}
	} else {
		args = rest[1:]
	}
	cmd, ok := commands[name]
	if !ok {
		return a.usageError(fmt.Errorf("unknown command %s: the commands are status, wait, demo, render, schema and version%s", quote(name), didYouMean(name, commandNames, "")))
	}
	return a.runCommand(ctx, cmd, args)
}

// runCommand parses a command's flags (its own and the global ones) and runs
// it.
func (a *app) runCommand(ctx context.Context, cmd *command, args []string) int {
	a.cmd = cmd
	fs := flag.NewFlagSet(programName+" "+cmd.name, flag.ContinueOnError)
	body := cmd.newFlags(fs)
	a.g.register(fs)
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.printCommandHelp(a.stdout, cmd)
			return exitOK
		}
		return a.usageError(err)
	}
	if a.g.version {
		return a.printVersion()
	}
	if fs.NArg() > 0 && !cmd.args {
		return a.usageError(fmt.Errorf("unexpected argument %s (flags take the form --name value)", quote(fs.Arg(0))))
	}
	warnings, err := a.g.validate()
	if err != nil {
		return a.usageError(err)
	}
	a.debug = newDebugLog(a.stderr, a.g.debug)
	a.debug.logf("%s %s: output=%s quiet=%t region=%q profile=%q endpoint-url=%q", programName, cmd.name, a.g.output, a.g.quiet, a.g.region, a.g.profile, redacted(a.g.endpointURL))
	for _, w := range warnings {
		a.warn(w)
	}
	return body(ctx, a, fs)
}

// syncWriter serializes writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p to the underlying writer, one caller at a time.
func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// isTerminal reports whether w is a character device such as a terminal.
// TERM=dumb counts as no terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
