package action_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// "run.sh --plan", the action's first step, decides how the CLI is
// installed from the version input, the action's ref and action/VERSION
// alone (no look-up): a download at v + action/VERSION, at its major tag
// or with a version input; a build from source at any other ref, with
// actions/setup-go only when no Go 1.21 or newer is on PATH, and the cache
// key's hash of go.mod and go.sum; nothing for a malformed version input,
// which the main step reports.
func TestPlan(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	root := repoRoot(t)
	released := releasedVersion(t)
	major, rest, _ := strings.Cut(released, ".")
	minor, _, _ := strings.Cut(rest, ".")
	var mod []byte
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		mod = append(mod, b...)
	}
	goSum := sha256Hex(mod)
	noGo := toolsPath(t, scriptTools...)
	withGo := noGo
	if goCmd, err := exec.LookPath("go"); err == nil {
		withGo += string(os.PathListSeparator) + filepath.Dir(goCmd)
	}
	download := map[string]string{"install": "download"}
	source := func(setupGo string) map[string]string {
		return map[string]string{"install": "source", "setup-go": setupGo, "go-sum": goSum}
	}

	for _, tc := range []struct {
		name, ref, version string
		noGo               bool
		want               map[string]string
		log                string
	}{
		{name: "the release's tag", ref: "v" + released, want: download, log: "will download release \"v" + released + "\" (the action's ref \"v" + released + "\")"},
		{name: "the major tag", ref: "v" + major, want: download, log: "will download release \"v" + released + "\" (the action's ref \"v" + major + "\")"},
		{name: "the version input", ref: "main", version: "v2.3.4-rc.1+build.5", want: download, log: "will download release \"v2.3.4-rc.1+build.5\" (the version input)"},
		{name: "the version input wins over the ref", ref: "v" + released, version: "v9.9.9", want: download, log: "(the version input)"},
		{name: "a minor tag", ref: "v" + major + "." + minor, want: source("false"), log: "will build from the action's source: ref \"v" + major + "." + minor + "\" is not a release ref"},
		{name: "another release's tag", ref: "v" + released + "0", want: source("false")},
		{name: "a pre-release of the version", ref: "v" + released + "-rc.1", want: source("false")},
		{name: "another major tag", ref: "v9" + major, want: source("false")},
		{name: "a branch", ref: "main", want: source("false")},
		{name: "a commit", ref: "0123456789abcdef0123456789abcdef01234567", want: source("false")},
		{name: "a local action (uses: ./)", ref: "", want: source("false"), log: "ref \"\" is not a release ref"},
		{name: "a branch, no Go on PATH", ref: "main", noGo: true, want: source("true"), log: "Go on PATH: \"none\", set up Go: true"},
		{name: "a hostile ref", ref: "main\n::error::x", want: source("false"), log: "ref \"main?::error::x\""},
		{name: "a malformed version input", ref: "v" + released, version: "1.2.3\n::error::x", want: map[string]string{"install": "none"}, log: "the version input is malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.noGo && tc.want["setup-go"] == "false" && withGo == noGo {
				t.Skip("no go command")
			}
			dir := t.TempDir()
			outputs := filepath.Join(dir, "github_output")
			if err := os.WriteFile(outputs, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			path := withGo
			if tc.noGo {
				path = noGo
			}
			r := runScript(t, bash, map[string]string{
				"PATH": path, "HOME": dir, "LC_ALL": "C", "RUNNER_TEMP": dir, "GITHUB_OUTPUT": outputs,
				"ACTION_REF": tc.ref, "INPUT_VERSION": tc.version,
			}, "--plan")
			if r.code != 0 || r.stdout != "" {
				t.Errorf("exit code %d, stdout %q; want 0 and nothing; stderr:\n%s", r.code, r.stdout, r.stderr)
			}
			if diff := cmp.Diff(tc.want, readOutputs(t, outputs)); diff != "" {
				t.Errorf("$GITHUB_OUTPUT (-want +got):\n%s", diff)
			}
			if !strings.Contains(r.stderr, tc.log) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr does not say %q on one line:\n%s", tc.log, r.stderr)
			}
		})
	}
}
