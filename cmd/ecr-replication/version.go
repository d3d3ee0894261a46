package main

import (
	"cmp"
	"context"
	"flag"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is the release version; release builds set it with -ldflags
// "-X main.version=v1.2.3". When empty it comes from the build info.
var version = ""

// versionCommand is "ecr-replication version".
var versionCommand = &command{
	name:     "version",
	synopsis: "version [global flags]",
	summary:  "print the version, VCS revision and Go version of this build",
	help: `
Prints the version (a release build's, else the module version "go install
...@VERSION" records, else "devel"), the VCS revision with its commit time and
"modified", and the Go version and platform, such as

  ecr-replication v1.2.3 (revision 0123abcd..., 2026-12-01T10:00:00Z, modified) go1.26.8 linux/amd64

With --output json, one object: version, revision, time, modified, goVersion
and platform (the VCS fields when the build recorded them). --version after
any command prints the same.

Examples:
  ecr-replication version --output json | jq -r .revision`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		return func(_ context.Context, a *app, _ *flag.FlagSet) int { return a.printVersion() }
	},
}

// printVersion prints the version on stdout: a JSON object with --output
// json, else one line.
func (a *app) printVersion() int {
	bi, _ := debug.ReadBuildInfo()
	v := versionInfo(version, bi)
	if a.g.output == "json" {
		a.writeJSON(v)
	} else {
		a.stdout.Write([]byte(v.line() + "\n"))
	}
	return exitOK
}

// buildVersion describes a build of the program.
type buildVersion struct {
	Version   string `json:"version"`            // the release or module version, or "devel"
	Revision  string `json:"revision,omitempty"` // vcs.revision
	Time      string `json:"time,omitempty"`     // vcs.time, RFC 3339
	Modified  *bool  `json:"modified,omitempty"` // vcs.modified; nil when not recorded
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform,omitempty"` // GOOS/GOARCH
}

// versionInfo describes the build from the ldflags version, which wins when
// not empty, and the build info bi, which may be nil.
func versionInfo(ldflagsVersion string, bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: ldflagsVersion, GoVersion: runtime.Version()}
	settings := map[string]string{}
	if bi != nil {
		if v.Version == "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		v.GoVersion = cmp.Or(bi.GoVersion, v.GoVersion)
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
	}
	v.Version = cmp.Or(v.Version, "devel")
	v.Revision, v.Time = settings["vcs.revision"], settings["vcs.time"]
	if m, ok := settings["vcs.modified"]; ok {
		modified := m == "true"
		v.Modified = &modified
	}
	if settings["GOOS"] != "" && settings["GOARCH"] != "" {
		v.Platform = settings["GOOS"] + "/" + settings["GOARCH"]
	}
	return v
}

// line renders v as one line, leaving out what was not recorded.
func (v buildVersion) line() string {
	var vcs []string
	for _, s := range []string{v.Revision, v.Time} {
		if s != "" {
			vcs = append(vcs, s)
		}
	}
	if v.Revision != "" {
		vcs[0] = "revision " + v.Revision
	}
	if v.Modified != nil && *v.Modified {
		vcs = append(vcs, "modified")
	}
	parts := []string{programName, v.Version}
	if len(vcs) > 0 {
		parts = append(parts, "("+strings.Join(vcs, ", ")+")")
	}
	return strings.TrimSpace(strings.Join(append(parts, v.GoVersion, v.Platform), " "))
}
