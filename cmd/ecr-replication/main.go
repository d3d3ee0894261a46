// Command ecr-replication reports and waits for Amazon ECR image replication,
// for use in deployment pipelines.
//
//	ecr-replication status --repository NAME (--tag T | --digest D)
//	ecr-replication wait   --repository NAME (--tag T | --digest D) [--timeout 30m]
//	ecr-replication wait   --image REPO:TAG --image REPO@DIGEST ... [--rate-limit N] [--concurrency N] [--fail-fast]
//	ecr-replication wait   --images-from FILE|-
//	ecr-replication demo   [--fail] [--speed N]
//	ecr-replication schema
//	ecr-replication version [--output json]
//
// Every wait, of one image or of a set, runs through ecrreplication.WaitAll
// under one rate limit; a set prints one JSON document with an "images"
// array and exits with the worst of the images' exit codes
// (130 > 2 > 5 > 4 > 3 > 1 > 0). The JSON documents are described by the
// JSON Schema in schema/output.schema.json, which "ecr-replication schema"
// prints.
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

// Exit codes. They are part of the command's interface: pipelines branch on
// them, so they never change meaning.
const (
	exitOK          = 0   // complete (status: the status was read)
	exitFailed      = 1   // replication failed, or no replication rule covers the repository
	exitUsage       = 2   // usage, validation or configuration error; nothing was sent
	exitTimeout     = 3   // timed out before every destination was COMPLETE
	exitNotFound    = 4   // image or repository not found
	exitOther       = 5   // credentials, network, service and other errors
	exitInterrupted = 130 // interrupted (Ctrl-C, SIGTERM)
)

// main runs the command with a context that ends on Ctrl-C or SIGTERM.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// environment is what run takes from its surroundings. Tests and the demo
// replace parts of it; the zero value means the real world.
type environment struct {
	// terminal says whether stderr is a terminal; nil means detect it.
	terminal *bool
	// httpClient, when set, sends every request (tests use an ecrtest
	// in-memory server's client).
	httpClient aws.HTTPClient
	// configOptions are applied after the command line's when loading the
	// AWS configuration with config.LoadDefaultConfig.
	configOptions []func(*config.LoadOptions) error
	// loadConfig, when set, replaces config.LoadDefaultConfig entirely (the
	// demo uses it so that no AWS configuration of the user is read).
	loadConfig func(ctx context.Context, g *globals) (aws.Config, error)
	// stdin is read by --images-from -; nil means os.Stdin.
	stdin io.Reader
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
	// Progress, warnings and debug lines may come from more than one
	// goroutine; each write reaches stderr whole.
	a := &app{env: env, stdout: stdout, stderr: &syncWriter{w: stderr}}
	return a.main(ctx, args)
}

// app holds the state of one run.
type app struct {
	env    environment
	stdout io.Writer
	stderr io.Writer
	g      globals
	// cmd is the command being run; nil before its name is parsed.
	cmd   *command
	debug *debugLog
	// setForm says that the command waits for a set of images (--image,
	// --images-from): its JSON document is the set's, also for usage errors.
	setForm bool
	// onePollHint, when set, replaces the hint of a timeout: --timeout
	// leaves room for one poll only.
	onePollHint string
}

// commands maps command names to their implementations.
var commands = map[string]*command{
	"status":  statusCommand,
	"wait":    waitCommand,
	"demo":    demoCommand,
	"render":  renderCommand,
	"schema":  schemaCommand,
	"version": versionCommand,
}

// command is one subcommand: its name, help text, flags and body.
type command struct {
	name string
	// synopsis is the one-line usage, without the program name.
	synopsis string
	// summary is a one-line description for the top-level help.
	summary string
	// help is the long description, examples and output format.
	help string
	// newFlags returns the command's own flags, bound to a fresh settings
	// value, and the function that runs the command with them.
	newFlags func(fs *flag.FlagSet) func(ctx context.Context, a *app, fs *flag.FlagSet) int
	// setForm, when set, tells from the arguments whether the command waits
	// for a set of images, before they are parsed.
	setForm func(args []string) bool
	// args, when set, lets the command take arguments after its flags,
	// which its body reads with fs.Args().
	args bool
}

// main parses the global flags and the command name, then runs the command.
func (a *app) main(ctx context.Context, args []string) int {
	a.g = defaultGlobals()
	fs := flag.NewFlagSet(programName, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	a.g.register(fs)
	if err := fs.Parse(args); err != nil {
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
	if name == "help" {
		if len(rest) > 1 {
			if cmd, ok := commands[rest[1]]; ok {
				a.printCommandHelp(a.stdout, cmd)
				return exitOK
			}
			return a.usageError(fmt.Errorf("unknown command %s", quote(rest[1])))
		}
		a.printTopHelp(a.stdout)
		return exitOK
	}
	cmd, ok := commands[name]
	if !ok {
		return a.usageError(fmt.Errorf("unknown command %s: the commands are status, wait, demo, render, schema and version", quote(name)))
	}
	return a.runCommand(ctx, cmd, rest[1:])
}

// runCommand parses a command's flags (its own and the global ones) and runs
// it.
func (a *app) runCommand(ctx context.Context, cmd *command, args []string) int {
	a.cmd = cmd
	a.setForm = cmd.setForm != nil && cmd.setForm(args)
	fs := flag.NewFlagSet(programName+" "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	body := cmd.newFlags(fs)
	a.g.register(fs)
	if err := fs.Parse(args); err != nil {
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
