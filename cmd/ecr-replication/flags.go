package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strings"
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
	fs.StringVar(&g.output, "output", g.output, "output `format` on stdout: text, json, markdown (GitHub-flavoured) or github (GitHub Actions annotations)")
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
	case "text", "json", "markdown", "github":
	default:
		return nil, fmt.Errorf("--output %s is not a known format: use text, json, markdown or github", quote(g.output))
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

// quote renders s with %q, cut to 64 characters, so that hostile input can
// neither flood nor forge messages.
func quote(s string) string {
	const maxQuoted = 64
	if utf8.RuneCountInString(s) <= maxQuoted {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q...", string([]rune(s)[:maxQuoted]))
}

// fieldNames names each validated input field on the command line: as its
// flag, and as a part of an --image.
var fieldNames = map[string][2]string{
	ecrreplication.FieldRepositoryName: {"repository name (--repository)", "repository name"},
	ecrreplication.FieldRegistryID:     {"registry ID (--registry-id)", "registry ID (--registry-id)"},
	ecrreplication.FieldImageTag:       {"image tag (--tag)", "image tag"},
	ecrreplication.FieldImageDigest:    {"image digest (--digest)", "image digest"},
}

// violations rewrites a *ValidationError in the terms of the command line,
// one line per violation, such as
//
//	repository name (--repository) "Foo" must be lower case: ...
//
// or, for an image of a set (arg not nil), such as
//
//	image "Team/api:v1" (--image): repository name "Team/api" must be lower case: ...
//
// leaving violations of the shared --registry-id to the caller.
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
		case arg != nil && v.Field == ecrreplication.FieldRegistryID:
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
