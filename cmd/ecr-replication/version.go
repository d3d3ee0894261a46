package main

import (
	"context"
	"flag"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is the program's version; release builds set it with
// -ldflags "-X main.version=v1.2.3" (the Dockerfile and .goreleaser.yaml do).
// When it is empty the version is read from the build info.
var version = ""

// versionCommand is "ecr-replication version".
var versionCommand = &command{
	name:     "version",
	synopsis: "version [global flags]",
	summary:  "print the version, VCS revision and Go version of this build",
	help: `
Prints one line: the program's version, the VCS revision it was built from
with the commit time and "modified" when the work tree had uncommitted
changes, and the Go version and platform it was built with, such as

  ecr-replication v1.2.3 (revision 0123abcd..., 2026-12-01T10:00:00Z, modified) go1.26.8 linux/amd64

The version is the one a release build set (-ldflags "-X main.version=..."),
else the module version that "go install ...@VERSION" records, else
"devel". The revision part is left out when the build recorded no VCS
information (go build -buildvcs=false, or a source tree without .git, as in
the container image). "--version" before or after any command prints the same.

With --output json it prints one JSON object instead, with the fields
version, revision, time, modified, goVersion and platform (revision, time
and modified only when the build recorded them).

Examples:
  ecr-replication version
  ecr-replication version --output json | jq -r .revision`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		return func(_ context.Context, a *app, _ *flag.FlagSet) int {
			return a.printVersion()
		}
	},
}

// printVersion prints the program's version on stdout: one JSON object with
// --output json, otherwise (text, and any other format) one line.
func (a *app) printVersion() int {
	v := programVersion()
	if a.g.output == "json" {
		a.writeJSON(v)
		return exitOK
	}
	a.stdout.Write([]byte(v.line() + "\n"))
	return exitOK
}

// programVersion describes this build of the program; its Version is
// version, else the main module's version from the build info, else "devel".
func programVersion() buildVersion {
	bi, _ := debug.ReadBuildInfo()
	return versionInfo(version, bi)
}

// buildVersion describes a build of the program, as "ecr-replication
// version" prints it.
type buildVersion struct {
	// Version is the release version, the module version, or "devel".
	Version string `json:"version"`
	// Revision is the VCS revision (vcs.revision), if recorded.
	Revision string `json:"revision,omitempty"`
	// Time is the revision's commit time (vcs.time, RFC 3339), if recorded.
	Time string `json:"time,omitempty"`
	// Modified says whether the work tree had uncommitted changes
	// (vcs.modified); nil when not recorded.
	Modified *bool `json:"modified,omitempty"`
	// GoVersion is the Go version the program was built with.
	GoVersion string `json:"goVersion"`
	// Platform is GOOS/GOARCH of the build, if recorded.
	Platform string `json:"platform,omitempty"`
}

// versionInfo describes the build from the ldflags version (which wins when
// not empty) and the build info bi, which may be nil.
func versionInfo(ldflagsVersion string, bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: ldflagsVersion, GoVersion: runtime.Version()}
	if bi == nil {
		if v.Version == "" {
			v.Version = "devel"
		}
		return v
	}
	if v.Version == "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	if v.Version == "" {
		v.Version = "devel"
	}
	if bi.GoVersion != "" {
		v.GoVersion = bi.GoVersion
	}
	var goos, goarch string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			modified := s.Value == "true"
			v.Modified = &modified
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	if goos != "" && goarch != "" {
		v.Platform = goos + "/" + goarch
	}
	return v
}

// line renders v as one line, such as
//
//	ecr-replication v1.2.3 (revision 0123abcd, 2026-12-01T10:00:00Z, modified) go1.26.8 linux/amd64
//
// leaving out what was not recorded.
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
	parts := []string{programName, v.Version}
	if len(vcs) > 0 {
		parts = append(parts, "("+strings.Join(vcs, ", ")+")")
	}
	parts = append(parts, v.GoVersion)
	if v.Platform != "" {
		parts = append(parts, v.Platform)
	}
	return strings.Join(parts, " ")
}
