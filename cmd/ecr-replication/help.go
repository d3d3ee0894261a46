package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// usageHint points to the help of cmd, or to the top-level help.
func usageHint(cmd *command) string {
	if cmd == nil {
		return fmt.Sprintf("see '%s --help'", programName)
	}
	return fmt.Sprintf("see '%s %s --help'", programName, cmd.name)
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
	for _, name := range []string{"status", "wait", "demo", "render", "schema", "version"} {
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
  %[2]s version --output json

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
