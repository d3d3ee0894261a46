package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is the release version, set by release builds with -ldflags
// "-X main.version=v1.2.3"; when empty, the build info tells it.
var version = ""

// versionCommand is "ecr-replication version".
var versionCommand = &command{
	name:     "version",
	synopsis: "version [global flags]",
	summary:  "print the version, VCS revision and Go version of this build",
	help: `
Prints the version, the VCS revision, time and "modified", the Go version and
the platform of this build on one line; with --output json, an object of
version, revision, time, modified, goVersion and platform (the VCS fields when
recorded). --version after any command prints the same.

Examples:
  ecr-replication version --output json | jq -r .revision`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		return func(_ context.Context, a *app, _ *flag.FlagSet) int { return a.printVersion() }
	},
}

// printVersion prints the build's version: a JSON object with --output
// json, else one line.
func (a *app) printVersion() int {
	bi, _ := debug.ReadBuildInfo()
	if v := versionInfo(version, bi); a.g.output == "json" {
		a.writeJSON(v)
	} else {
		fmt.Fprintln(a.stdout, v.line())
	}
	return exitOK
}

// buildVersion describes a build; what it did not record is left out.
type buildVersion struct {
	Version   string `json:"version"`
	Revision  string `json:"revision,omitempty"`
	Time      string `json:"time,omitempty"`
	Modified  *bool  `json:"modified,omitempty"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform,omitempty"`
}

// versionInfo describes the build: the version is the ldflags one, else
// the module version of the build info bi (which may be nil), else "devel".
func versionInfo(ldflags string, bi *debug.BuildInfo) buildVersion {
	if bi == nil {
		bi = &debug.BuildInfo{}
	}
	s := map[string]string{}
	for _, kv := range bi.Settings {
		s[kv.Key] = kv.Value
	}
	v := buildVersion{Version: cmp.Or(ldflags, strings.TrimPrefix(bi.Main.Version, "(devel)"), "devel"),
		Revision: s["vcs.revision"], Time: s["vcs.time"], GoVersion: cmp.Or(bi.GoVersion, runtime.Version())}
	if m, ok := s["vcs.modified"]; ok {
		modified := m == "true"
		v.Modified = &modified
	}
	if s["GOOS"] != "" && s["GOARCH"] != "" {
		v.Platform = s["GOOS"] + "/" + s["GOARCH"]
	}
	return v
}

// line is v on one line, such as "ecr-replication v1.2.3 (revision 0123abcd,
// 2026-12-01T10:00:00Z, modified) go1.26.8 linux/amd64".
func (v buildVersion) line() string {
	var vcs []string
	if v.Revision != "" {
		vcs = append(vcs, "revision "+v.Revision)
	}
	if v.Time != "" {
		vcs = append(vcs, v.Time)
	}
	if v.Modified != nil && *v.Modified {
		vcs = append(vcs, "modified")
	}
	s := programName + " " + v.Version
	if len(vcs) > 0 {
		s += " (" + strings.Join(vcs, ", ") + ")"
	}
	return strings.TrimSpace(s + " " + v.GoVersion + " " + v.Platform)
}
