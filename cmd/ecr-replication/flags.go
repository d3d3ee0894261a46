package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// programName is the command's name in messages and help.
const programName = "ecr-replication"

// globals are the flags every command takes, before or after its name.
type globals struct {
	output, endpointURL, profile, region string
	quiet, debug, version                bool
}

// defaultGlobals returns the globals before any flag is parsed.
func defaultGlobals() globals { return globals{output: "text"} }

// register defines the global flags on fs, the current values as defaults:
// flags given before the command's name survive the second parse.
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.output, "output", g.output, "output `format` on stdout: text, json, markdown (GitHub-flavoured) or github (GitHub Actions annotations)")
	fs.BoolVar(&g.quiet, "quiet", g.quiet, "print no progress or warnings on stderr (errors are still printed)")
	fs.StringVar(&g.endpointURL, "endpoint-url", g.endpointURL, "send requests to this `URL` instead of the ECR endpoint of the region")
	fs.StringVar(&g.profile, "profile", g.profile, "use this `profile` from the AWS shared config and credentials files")
	fs.StringVar(&g.region, "region", g.region, "AWS `region` of the source registry (default: an image URI's, else AWS_REGION or the profile's)")
	fs.BoolVar(&g.debug, "debug", g.debug, "log what the command does on stderr (never credentials)")
	fs.BoolVar(&g.version, "version", g.version, "print the version and exit")
}

// validate checks the global flags and returns the warnings to print; it
// removes a user name and password from --endpoint-url.
func (g *globals) validate() (warnings []string, err error) {
	if !strings.Contains(" text json markdown github ", " "+g.output+" ") {
		return nil, fmt.Errorf("--output %s is not a known format: use text, json, markdown or github", quote(g.output))
	}
	if !isRegionName(g.region) {
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

// isRegionName reports whether s has only the characters of a region name.
func isRegionName(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-') })
}

// redacted is s with a URL's user name and password replaced by "REDACTED".
func redacted(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User("REDACTED")
	return u.String()
}

// quote is s with %q, cut to 64 characters.
func quote(s string) string {
	if utf8.RuneCountInString(s) <= 64 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q...", string([]rune(s)[:64]))
}

// parseFlags is fs.Parse with errors in the command's terms: two dashes, the
// nearest known flag for an unknown one, what a value must be.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	var valueErr error
	fs.VisitAll(func(f *flag.Flag) { f.Value = checkedValue{f.Value, f.Name, &valueErr} })
	err := fs.Parse(args)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return err
	case valueErr != nil:
		return valueErr
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		return fmt.Errorf("unknown flag --%s%s", safetext.Line(name, 64), didYouMean(name, names, "--"))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fmt.Errorf("--%s needs a value", name)
	}
	return errors.New(strings.ReplaceAll(msg, " -", " --"))
}

// checkedValue is a flag's value that records why a value is not one,
// where the flag package would say "parse error".
type checkedValue struct {
	flag.Value
	name string
	err  *error
}

// Set sets the value, or records why v is not one.
func (c checkedValue) Set(v string) error {
	err := c.Value.Set(v)
	if err == nil || *c.err != nil {
		return err
	}
	what := ": " + err.Error()
	if g, ok := c.Value.(flag.Getter); ok {
		what = map[string]string{"time.Duration": " is not a duration: use a unit, such as 5s or 20m", "float64": " is not a number",
			"int": " is not a whole number", "bool": " is not true or false"}[fmt.Sprintf("%T", g.Get())]
	}
	*c.err = fmt.Errorf("--%s %s%s", c.name, quote(v), what)
	return err
}

// IsBoolFlag lets a boolean flag go without a value.
func (c checkedValue) IsBoolFlag() bool {
	b, ok := c.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// didYouMean suggests the known name that name (3 characters or more)
// begins, else one at most two edits away; "" if none.
func didYouMean(name string, known []string, prefix string) string {
	best, dist := "", 3
	for _, k := range known {
		if len(name) >= 3 && strings.HasPrefix(k, name) {
			best, dist = k, -1
			break
		}
		// Levenshtein distance, one row at a time.
		row := make([]int, len(k)+1)
		for j := range row {
			row[j] = j
		}
		for i := 1; i <= len(name); i++ {
			diag := row[0]
			row[0] = i
			for j := 1; j <= len(k); j++ {
				cost := 1
				if name[i-1] == k[j-1] {
					cost = 0
				}
				diag, row[j] = row[j], min(row[j]+1, row[j-1]+1, diag+cost)
			}
		}
		if row[len(k)] < dist {
			best, dist = k, row[len(k)]
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + prefix + best + "?)"
}

// fieldNames name each validated field as a flag and as a reference's part.
var fieldNames = map[string][2]string{
	ecrreplication.FieldRepositoryName: {"repository name (--repository)", "repository name"},
	ecrreplication.FieldRegistryID:     {"registry ID (--registry-id)", "registry ID"},
	ecrreplication.FieldImageTag:       {"image tag (--tag)", "image tag"},
	ecrreplication.FieldImageDigest:    {"image digest (--digest)", "image digest"},
}

// violations rewrites a *ValidationError in the terms of the flags, or of
// the image reference arg when not nil, a line per violation.
func violations(err error, arg *imageArg) []string {
	var ve *ecrreplication.ValidationError
	if !errors.As(err, &ve) {
		return []string{err.Error()}
	}
	var lines []string
	for _, v := range ve.Violations {
		name, ok := fieldNames[v.Field]
		if !ok {
			name = [2]string{v.Field, v.Field}
		}
		switch {
		case arg != nil && v.Field == ecrreplication.FieldImageReference:
			lines = append(lines, fmt.Sprintf("image %s (%s) %s", quote(arg.text), arg.source, v.Constraint))
		case arg != nil:
			lines = append(lines, fmt.Sprintf("image %s (%s): %s %s %s", quote(arg.text), arg.source, name[1], quote(v.Value), v.Constraint))
		case v.Field == ecrreplication.FieldImageID:
			lines = append(lines, "--tag or --digest is required: name the image by tag, by digest or by both")
		case v.Value == "":
			lines = append(lines, name[0]+" "+v.Constraint)
		default:
			lines = append(lines, fmt.Sprintf("%s %s %s", name[0], quote(v.Value), v.Constraint))
		}
	}
	return lines
}
