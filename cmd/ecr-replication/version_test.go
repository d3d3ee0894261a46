package main

import (
	"encoding/json"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testRevision is a VCS revision for the synthetic build infos.
const testRevision = "0123abcd0123abcd0123abcd0123abcd0123abcd"

// buildSettings returns build settings from key, value pairs.
func buildSettings(kv ...string) []debug.BuildSetting {
	var s []debug.BuildSetting
	for i := 0; i+1 < len(kv); i += 2 {
		s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
	}
	return s
}

// boolPtr returns a pointer to v.
func boolPtr(v bool) *bool { return &v }

// versionInfo picks the version (ldflags, then module version, then
// "devel"), reads the VCS settings and the platform, and line and the JSON
// render exactly what was recorded.
func TestVersionInfo(t *testing.T) {
	tests := []struct {
		name     string
		ldflags  string
		bi       *debug.BuildInfo
		want     buildVersion
		wantLine string
		wantJSON string
	}{
		{
			name:     "no build info",
			want:     buildVersion{Version: "devel", GoVersion: runtime.Version()},
			wantLine: "ecr-replication devel " + runtime.Version(),
			wantJSON: `{"version":"devel","goVersion":"` + runtime.Version() + `"}`,
		},
		{
			name:     "no build info, ldflags version",
			ldflags:  "v1.2.3",
			want:     buildVersion{Version: "v1.2.3", GoVersion: runtime.Version()},
			wantLine: "ecr-replication v1.2.3 " + runtime.Version(),
			wantJSON: `{"version":"v1.2.3","goVersion":"` + runtime.Version() + `"}`,
		},
		{
			name:     "go build in a tree without VCS",
			bi:       &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/ecrkit/ecrreplication", Version: "(devel)"}, Settings: buildSettings("GOOS", "linux", "GOARCH", "amd64")},
			want:     buildVersion{Version: "devel", GoVersion: "go1.26.8", Platform: "linux/amd64"},
			wantLine: "ecr-replication devel go1.26.8 linux/amd64",
			wantJSON: `{"version":"devel","goVersion":"go1.26.8","platform":"linux/amd64"}`,
		},
		{
			name:     "empty module version",
			bi:       &debug.BuildInfo{GoVersion: "go1.26.8"},
			want:     buildVersion{Version: "devel", GoVersion: "go1.26.8"},
			wantLine: "ecr-replication devel go1.26.8",
			wantJSON: `{"version":"devel","goVersion":"go1.26.8"}`,
		},
		{
			name: "go install ...@v1.4.0",
			bi: &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Path: "github.com/ecrkit/ecrreplication", Version: "v1.4.0"},
				Settings: buildSettings("-trimpath", "true", "CGO_ENABLED", "0", "GOARCH", "arm64", "GOOS", "darwin")},
			want:     buildVersion{Version: "v1.4.0", GoVersion: "go1.26.1", Platform: "darwin/arm64"},
			wantLine: "ecr-replication v1.4.0 go1.26.1 darwin/arm64",
			wantJSON: `{"version":"v1.4.0","goVersion":"go1.26.1","platform":"darwin/arm64"}`,
		},
		{
			name:    "ldflags version wins over the module version",
			ldflags: "v2.0.0",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"},
				Settings: buildSettings("GOOS", "windows", "GOARCH", "amd64")},
			want:     buildVersion{Version: "v2.0.0", GoVersion: "go1.26.8", Platform: "windows/amd64"},
			wantLine: "ecr-replication v2.0.0 go1.26.8 windows/amd64",
			wantJSON: `{"version":"v2.0.0","goVersion":"go1.26.8","platform":"windows/amd64"}`,
		},
		{
			name: "git checkout with uncommitted changes",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261201100000-0123abcd0123+dirty"},
				Settings: buildSettings("GOARCH", "amd64", "GOOS", "linux", "vcs", "git", "vcs.revision", testRevision, "vcs.time", "2026-12-01T10:00:00Z", "vcs.modified", "true")},
			want: buildVersion{Version: "v0.0.0-20261201100000-0123abcd0123+dirty", Revision: testRevision, Time: "2026-12-01T10:00:00Z",
				Modified: boolPtr(true), GoVersion: "go1.26.8", Platform: "linux/amd64"},
			wantLine: "ecr-replication v0.0.0-20261201100000-0123abcd0123+dirty (revision " + testRevision + ", 2026-12-01T10:00:00Z, modified) go1.26.8 linux/amd64",
			wantJSON: `{"version":"v0.0.0-20261201100000-0123abcd0123+dirty","revision":"` + testRevision + `","time":"2026-12-01T10:00:00Z","modified":true,"goVersion":"go1.26.8","platform":"linux/amd64"}`,
		},
		{
			name:    "release build from a clean checkout",
			ldflags: "v1.2.3",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"},
				Settings: buildSettings("vcs.revision", testRevision, "vcs.time", "2026-12-01T10:00:00Z", "vcs.modified", "false", "GOOS", "linux", "GOARCH", "arm64")},
			want: buildVersion{Version: "v1.2.3", Revision: testRevision, Time: "2026-12-01T10:00:00Z", Modified: boolPtr(false),
				GoVersion: "go1.26.8", Platform: "linux/arm64"},
			wantLine: "ecr-replication v1.2.3 (revision " + testRevision + ", 2026-12-01T10:00:00Z) go1.26.8 linux/arm64",
			wantJSON: `{"version":"v1.2.3","revision":"` + testRevision + `","time":"2026-12-01T10:00:00Z","modified":false,"goVersion":"go1.26.8","platform":"linux/arm64"}`,
		},
		{
			name:     "revision without time or modified, and GOOS without GOARCH",
			bi:       &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: buildSettings("vcs.revision", "abc123", "GOOS", "linux")},
			want:     buildVersion{Version: "devel", Revision: "abc123", GoVersion: "go1.26.8"},
			wantLine: "ecr-replication devel (revision abc123) go1.26.8",
			wantJSON: `{"version":"devel","revision":"abc123","goVersion":"go1.26.8"}`,
		},
		{
			name:     "modified without a revision",
			bi:       &debug.BuildInfo{GoVersion: "go1.26.8", Settings: buildSettings("vcs.modified", "true")},
			want:     buildVersion{Version: "devel", Modified: boolPtr(true), GoVersion: "go1.26.8"},
			wantLine: "ecr-replication devel (modified) go1.26.8",
			wantJSON: `{"version":"devel","modified":true,"goVersion":"go1.26.8"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := versionInfo(tt.ldflags, tt.bi)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("versionInfo(%q, ...) mismatch (-want +got):\n%s", tt.ldflags, diff)
			}
			if diff := cmp.Diff(tt.wantLine, got.line()); diff != "" {
				t.Errorf("line() mismatch (-want +got):\n%s", diff)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantJSON, string(b)); diff != "" {
				t.Errorf("JSON mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// "version", "--version" before or after any command, and "version --output
// json" all describe the running build, the same way; the ldflags version
// wins over the build info's.
func TestVersionCommand(t *testing.T) {
	old := version
	t.Cleanup(func() { version = old })
	for _, ldflags := range []string{"", "v9.8.7"} {
		version = ldflags
		bi, _ := debug.ReadBuildInfo()
		want := versionInfo(ldflags, bi)
		if ldflags != "" && want.Version != ldflags {
			t.Fatalf("versionInfo(%q, ...).Version = %q", ldflags, want.Version)
		}
		wantLine := want.line() + "\n"
		if strings.Count(wantLine, "\n") != 1 || !strings.HasPrefix(wantLine, "ecr-replication "+want.Version+" ") {
			t.Fatalf("version line %q is not one line starting with the program name and the version", wantLine)
		}
		for _, args := range [][]string{
			{"version"}, {"--version"}, {"version", "--version"}, {"status", "--version"},
			{"--output", "text", "version"}, {"version", "--quiet"},
		} {
			got := runWith(t.Context(), args)
			if diff := cmp.Diff(ran{code: exitOK, stdout: wantLine}, got, cmp.AllowUnexported(ran{})); diff != "" {
				t.Errorf("version %q: %q mismatch (-want +got):\n%s", ldflags, args, diff)
			}
		}
		wantDoc := map[string]any{"version": want.Version, "goVersion": want.GoVersion}
		if want.Platform != "" {
			wantDoc["platform"] = want.Platform
		}
		if want.Revision != "" {
			wantDoc["revision"] = want.Revision
		}
		if want.Time != "" {
			wantDoc["time"] = want.Time
		}
		if want.Modified != nil {
			wantDoc["modified"] = *want.Modified
		}
		for _, args := range [][]string{{"version", "--output", "json"}, {"--output", "json", "version"}, {"--output", "json", "--version"}, {"wait", "--output", "json", "--version"}} {
			got := runWith(t.Context(), args)
			if got.code != exitOK || got.stderr != "" {
				t.Errorf("version %q: %q: exit code %d, stderr %q", ldflags, args, got.code, got.stderr)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(got.stdout), &doc); err != nil {
				t.Errorf("version %q: %q: stdout is not one JSON object: %v\n%s", ldflags, args, err, got.stdout)
				continue
			}
			if diff := cmp.Diff(wantDoc, doc); diff != "" {
				t.Errorf("version %q: %q mismatch (-want +got):\n%s", ldflags, args, diff)
			}
		}
	}
}

// The version command has help like every command and takes no arguments;
// it, like every command, is listed in the top-level help and named by the
// unknown-command message.
func TestVersionHelp(t *testing.T) {
	got := runWith(t.Context(), []string{"version", "--help"})
	for _, want := range []string{"Usage: ecr-replication version", "Examples:", "Exit codes (outcome):", "--output format", "ecr-replication version --output json"} {
		if got.code != exitOK || !strings.Contains(got.stdout, want) {
			t.Errorf("version --help: exit code %d, help lacks %q:\n%s", got.code, want, got.stdout)
		}
	}
	help := runWith(t.Context(), []string{"--help"}).stdout
	unknown := runWith(t.Context(), []string{"versoin"})
	if unknown.code != exitUsage || !strings.Contains(unknown.stderr, `unknown command "versoin": the commands are `) {
		t.Errorf("versoin: exit code %d, stderr %q", unknown.code, unknown.stderr)
	}
	for name, cmd := range commands {
		if !regexp.MustCompile(`(?m)^  ` + name + ` +` + regexp.QuoteMeta(cmd.summary) + `$`).MatchString(help) {
			t.Errorf("--help does not list the %s command:\n%s", name, help)
		}
		if !regexp.MustCompile(`the commands are [^\n]*\b` + name + `\b`).MatchString(unknown.stderr) {
			t.Errorf("the unknown-command message does not name the %s command: %q", name, unknown.stderr)
		}
	}
	got = runWith(t.Context(), []string{"version", "extra"})
	if got.code != exitUsage || got.stdout != "" || !strings.Contains(got.stderr, `unexpected argument "extra"`) {
		t.Errorf("version extra: exit code %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
	}
}
