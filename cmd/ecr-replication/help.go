package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// printTopHelp prints the program's help.
func (a *app) printTopHelp(w io.Writer) {
	fmt.Fprintf(w, `Usage: %[1]s [global flags] COMMAND [flags]

Reports and waits for Amazon ECR image replication (DescribeImageReplicationStatus),
for deployment pipelines. AWS credentials and region come from the same places
as for the AWS CLI: environment, --profile, shared config files, SSO, roles.

Commands:
`, programName)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, name := range commandNames {
		fmt.Fprintf(tw, "  %s\t%s\n", name, commands[name].summary)
	}
	tw.Flush()
	fmt.Fprintf(w, `
Global flags (before or after the command name):
%s
Examples:
  %[2]s wait --repository my-app --tag v1.4.2 --timeout 20m
  %[2]s wait --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v1.4.2
  %[2]s wait --images-from images.txt --fail-fast --output json > result.json
  %[2]s render result.json >> "$GITHUB_STEP_SUMMARY"
  %[2]s demo

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

// exitCodesHelp documents the exit codes, the outcomes they stand for.
const exitCodesHelp = `
Exit codes (outcome):
  0    complete: every destination is COMPLETE (status: the status was read;
       its outcome is complete, in-progress or failed)
  1    failed: a destination is FAILED, or no replication rule of the
       registry covers the repository (--expect-from-registry)
  2    invalid-input: usage, validation or configuration error; nothing sent
  3    timeout: --timeout ran out before every destination was COMPLETE
  4    not-found: image or repository not found
  5    error: credentials, permissions, network, service; status --timeout
  130  interrupted (Ctrl-C or SIGTERM)
  A set exits with its most severe outcome: 130 > 2 > 5 > 4 > 3 > 1 > 0.
`
