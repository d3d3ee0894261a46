package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

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
	if cmd.newFlags != nil {
		fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
		cmd.newFlags(fs)
		fmt.Fprintln(w, "\nFlags:")
		printFlags(w, fs)
	}
	fs := flag.NewFlagSet("", flag.ContinueOnError)
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
