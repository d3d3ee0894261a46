package action_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// Exit codes of the CLI and of the script.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitTimeout = 3
	exitInstall = 5
)

// The GitHub Action's script (action/run.sh, which action.yml runs), for
// real: bash runs it with the inputs in INPUT_* variables and the runner's
// variables, as the runner does, and with a PATH that has no Go. At the
// release's own ref (ACTION_REF v + action/VERSION), or with the version
// input, it downloads the release archive for RUNNER_OS and RUNNER_ARCH
// and the checksums file from a loopback server (archives built here from
// the CLI built with the release build line), checks the archive's
// SHA-256, unpacks it and runs the CLI against an ecrtest server on
// loopback with SigV4 required. At any other ref it builds the CLI from
// source with the Go on PATH.
//
// Each case checks the exit code, the annotations on stdout, the step's
// outputs, that the job summary was written, which release files were
// fetched, whether any request reached the ECR server, that the result
// document matches the CLI's own schema, and that the job's PATH and
// environment files were left alone. The Markdown itself and the CLI's
// annotation texts are the CLI's (its tests check them): here only the
// image they name is. Failures of the script's own (a malformed input, an
// unsupported runner, a missing or altered release asset) are checked
// exactly.
func TestAction(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI")
	}
	f := newFixture(t)
	now := ecrtest.Plan{}
	never := ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}
	const hostileCode = "`|<script>alert(1)</script>\n::error::forged %0A [x](https://evil.example) @admin"
	f.push(t, "team/api", "v1", now, now)
	f.push(t, "team/web", "v1", now, now)
	f.push(t, "app", "v1", now, now)
	f.push(t, "slow", "v1", never, never)
	f.push(t, "broken", "v1", ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "ACCESS_DENIED"}, now)
	f.push(t, "hostile", "v1", ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: hostileCode}, now)

	// Other releases: another version with the same archives, one whose
	// archive was altered after its checksums were made, one whose
	// archive is missing, one whose checksums file lacks this machine's
	// archive.
	other := "9.8.7"
	f.rel.publish(other, map[string][]byte{archiveName(other, f.goos, f.goarch): f.archive})
	tampered := "9.8.6"
	tamperedAsset := archiveName(tampered, f.goos, f.goarch)
	f.rel.publish(tampered, map[string][]byte{tamperedAsset: f.archive})
	altered := append(bytes.Clone(f.archive[:len(f.archive)-1]), f.archive[len(f.archive)-1]^1)
	f.rel.put(tampered, tamperedAsset, altered)
	missing := "9.8.5"
	missingAsset := archiveName(missing, f.goos, f.goarch)
	f.rel.put(missing, checksumsName(missing), checksums(map[string][]byte{missingAsset: f.archive}))
	unlisted := "9.8.4"
	unlistedAsset := archiveName(unlisted, f.goos, f.goarch)
	f.rel.put(unlisted, checksumsName(unlisted), checksums(map[string][]byte{archiveName(unlisted, "plan9", f.goarch): f.archive}))
	f.rel.put(unlisted, unlistedAsset, f.archive)

	// download is the requests of a download of version's archive for os.
	download := func(version, goos string) []string {
		return []string{"GET /v" + version + "/" + checksumsName(version), "GET /v" + version + "/" + archiveName(version, goos, f.goarch)}
	}
	released := download(f.released, f.goos)
	installing := "installing release \"v" + f.released + "\" (the action's ref \"v" + f.released + "\")"
	fast := map[string]string{"INPUT_TIMEOUT": "5s", "INPUT_MIN_DELAY": "100ms", "INPUT_MAX_DELAY": "100ms"}
	complete := map[string]string{"result": "{RESULT}", "status": "complete", "max-replication-seconds": "{T}"}
	invalid := map[string]string{"result": "", "status": "invalid-input", "max-replication-seconds": ""}
	notInstalled := map[string]string{"result": "", "status": "error", "max-replication-seconds": ""}
	installError := "::error title=ecr-replication%3A install::"

	for _, tc := range []struct {
		name   string
		inputs map[string]string
		// env overrides the runner's variables (ACTION_REF, RUNNER_ARCH, ...).
		env map[string]string
		// withGo adds the Go of this test to PATH, with its caches and no
		// module proxy: a build from source must not need the network.
		withGo bool
		// tools are needed besides scriptTools; the case is skipped without.
		tools []string
		// summaryDir makes $GITHUB_STEP_SUMMARY a directory: unwritable.
		summaryDir bool
		code       int
		stdout     string            // a template: {T} a number, {*} any text on one line
		outputs    map[string]string // a template per output; nil: $GITHUB_OUTPUT is left empty
		// summary is text that the job summary holds; "" means it is left empty.
		summary string
		// downloads are the requests the release server gets, in order.
		downloads []string
		// log is text that stderr holds: which install path was taken.
		log string
		// sent says whether requests reach the ECR server.
		sent bool
	}{
		{
			name: "images complete",
			inputs: map[string]string{"INPUT_IMAGES": "# release\nteam/api:v1\n\nteam/web:v1\nteam/api:v1 # again: a duplicate\n", "INPUT_EXPECT_FROM_REGISTRY": "true",
				"INPUT_SINCE": "push", "INPUT_FAIL_FAST": "false", "INPUT_RATE_LIMIT": "20"},
			code: exitOK, outputs: complete, summary: "team/web", downloads: released, log: installing, sent: true,
		},
		{
			name:   "one image complete, expected destinations, at the major tag",
			inputs: map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_EXPECT": "us-west-2\n us-east-2:210987654321 \n"},
			env:    map[string]string{"ACTION_REF": "v" + strings.Split(f.released, ".")[0]},
			code:   exitOK, outputs: complete, summary: "app", downloads: released,
			log:  "installing release \"v" + f.released + "\" (the action's ref \"v" + strings.Split(f.released, ".")[0] + "\")",
			sent: true,
		},
		{
			name:   "the version input",
			inputs: map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_VERSION": "v" + other},
			env:    map[string]string{"ACTION_REF": "main"},
			code:   exitOK, outputs: complete, summary: "app", downloads: download(other, f.goos),
			log: "installing release \"v" + other + "\" (the version input)", sent: true,
		},
		{
			name:   "Windows: a zip archive",
			inputs: map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1"},
			env:    map[string]string{"RUNNER_OS": "Windows"},
			tools:  []string{"unzip"},
			code:   exitOK, outputs: complete, summary: "app", downloads: download(f.released, "windows"),
			log: "\"ecr-replication_" + f.released + "_windows_" + f.goarch + ".zip\"", sent: true,
		},
		{
			name:   "a branch: built from source",
			inputs: map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1"},
			env:    map[string]string{"ACTION_REF": "main"},
			withGo: true,
			code:   exitOK, outputs: complete, summary: "app",
			log: "building from the action's source: ref \"main\" is not a release ref", sent: true,
		},
		{
			name:    "timeout",
			inputs:  map[string]string{"INPUT_REPOSITORY": "slow", "INPUT_TAG": "v1", "INPUT_TIMEOUT": "1s", "INPUT_MIN_DELAY": "100ms", "INPUT_MAX_DELAY": "200ms"},
			code:    exitTimeout,
			stdout:  "::error title={*}::{*}slow:v1{*}\n",
			outputs: map[string]string{"result": "{RESULT}", "status": "timeout", "max-replication-seconds": ""},
			summary: "slow", downloads: released, sent: true,
		},
		{
			name:    "replication failed",
			inputs:  map[string]string{"INPUT_REPOSITORY": "broken", "INPUT_TAG": "v1"},
			code:    exitFailed,
			stdout:  "::error title={*}::{*}broken:v1{*}ACCESS_DENIED{*}\n",
			outputs: map[string]string{"result": "{RESULT}", "status": "failed", "max-replication-seconds": "{T}"},
			summary: "broken", downloads: released, sent: true,
		},
		{
			// One annotation line: the failure code's newline and
			// "::error::" cannot start a workflow command of their own.
			name:    "hostile failure code",
			inputs:  map[string]string{"INPUT_IMAGES": "hostile:v1"},
			code:    exitFailed,
			stdout:  "::error title={*}::{*}hostile:v1{*}\n",
			outputs: map[string]string{"result": "{RESULT}", "status": "failed", "max-replication-seconds": "{T}"},
			summary: "hostile", downloads: released, sent: true,
		},
		{
			name:    "images and repository",
			inputs:  map[string]string{"INPUT_IMAGES": "team/api:v1", "INPUT_REPOSITORY": "app", "INPUT_TAG": "v1"},
			code:    exitUsage,
			stdout:  "::error title={*}::{*}--repository{*}\n",
			outputs: map[string]string{"result": "{RESULT}", "status": "invalid-input", "max-replication-seconds": ""},
			summary: "--repository", downloads: released,
		},
		{
			name:    "no image",
			inputs:  map[string]string{},
			code:    exitUsage,
			stdout:  "::error title={*}::{*}--repository{*}\n",
			outputs: map[string]string{"result": "{RESULT}", "status": "invalid-input", "max-replication-seconds": ""},
			summary: "--repository", downloads: released,
		},
		{
			name:   "malformed booleans",
			inputs: map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_FAIL_FAST": "yes", "INPUT_EXPECT_FROM_REGISTRY": "True\n::error::x"},
			code:   exitUsage,
			stdout: "::error title=ecr-replication%3A invalid input::input expect-from-registry is \"True?::error::x\": use true or false\n" +
				"::error title=ecr-replication%3A invalid input::input fail-fast is \"yes\": use true or false\n",
			outputs: invalid,
		},
		{
			name:    "malformed version: no v",
			inputs:  map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_VERSION": "1.2.3"},
			code:    exitUsage,
			stdout:  "::error title=ecr-replication%3A invalid input::input version is \"1.2.3\": use v and a semantic version, such as v1.2.3, or leave it empty\n",
			outputs: invalid,
		},
		{
			name:   "malformed version: a workflow command",
			inputs: map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_VERSION": "v1.2.3\n::add-mask::x\r%0A", "INPUT_FAIL_FAST": "maybe"},
			code:   exitUsage,
			stdout: "::error title=ecr-replication%3A invalid input::input version is \"v1.2.3?::add-mask::x?%250A\": use v and a semantic version, such as v1.2.3, or leave it empty\n" +
				"::error title=ecr-replication%3A invalid input::input fail-fast is \"maybe\": use true or false\n",
			outputs: invalid,
		},
		{
			name:    "malformed version: a major version only",
			inputs:  map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_VERSION": "v1"},
			code:    exitUsage,
			stdout:  "::error title=ecr-replication%3A invalid input::input version is \"v1\": use v and a semantic version, such as v1.2.3, or leave it empty\n",
			outputs: invalid,
		},
		{
			name:    "unsupported runner architecture",
			inputs:  map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1"},
			env:     map[string]string{"RUNNER_ARCH": "ARM"},
			code:    exitInstall,
			stdout:  installError + "no ecr-replication release for the runner's architecture \"ARM\" (RUNNER_ARCH): releases are made for X64 and ARM64; use a ref that builds from source (a branch or a commit) instead\n",
			outputs: notInstalled,
		},
		{
			name:    "unsupported runner OS",
			inputs:  map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1"},
			env:     map[string]string{"RUNNER_OS": "Plan9\n::error::x"},
			code:    exitInstall,
			stdout:  installError + "no ecr-replication release for the runner's OS \"Plan9?::error::x\" (RUNNER_OS): releases are made for Linux, macOS and Windows; use a ref that builds from source (a branch or a commit) instead\n",
			outputs: notInstalled,
		},
		{
			name:   "altered archive",
			inputs: map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_VERSION": "v" + tampered},
			code:   exitInstall,
			stdout: installError + fmt.Sprintf("%q does not match release \"v%s\"'s checksums file: its SHA-256 is %s, the file says %s; it was not run\n",
				tamperedAsset, tampered, sha256Hex(altered), sha256Hex(f.archive)),
			outputs:   notInstalled,
			downloads: download(tampered, f.goos),
		},
		{
			name:      "no such release (404)",
			inputs:    map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_VERSION": "v9.9.9"},
			code:      exitInstall,
			stdout:    installError + "cannot download \"" + f.rel.URL + "/v9.9.9/" + checksumsName("9.9.9") + "\": HTTP 404; is there a release \"v9.9.9\" with this asset?\n",
			outputs:   notInstalled,
			downloads: []string{"GET /v9.9.9/" + checksumsName("9.9.9")},
		},
		{
			name:      "missing archive (404)",
			inputs:    map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_VERSION": "v" + missing},
			code:      exitInstall,
			stdout:    installError + "cannot download \"" + f.rel.URL + "/v" + missing + "/" + missingAsset + "\": HTTP 404; is there a release \"v" + missing + "\" with this asset?\n",
			outputs:   notInstalled,
			downloads: download(missing, f.goos),
		},
		{
			name:      "archive not in the checksums file",
			inputs:    map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_VERSION": "v" + unlisted},
			code:      exitInstall,
			stdout:    installError + "the checksums file \"" + checksumsName(unlisted) + "\" of release \"v" + unlisted + "\" has no SHA-256 for \"" + unlistedAsset + "\"\n",
			outputs:   notInstalled,
			downloads: []string{"GET /v" + unlisted + "/" + checksumsName(unlisted)},
		},
		{
			name:       "unwritable summary",
			inputs:     map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1"},
			summaryDir: true,
			code:       exitOK,
			stdout:     "::warning title=ecr-replication::cannot write the job summary to \"{SUMMARY}\"; the result is in \"{RESULT}\"\n",
			outputs:    complete, downloads: released, sent: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, files := f.env(t, tc.summaryDir)
			if tc.tools != nil {
				env["PATH"] += string(os.PathListSeparator) + toolsPath(t, tc.tools...)
			}
			if tc.withGo {
				goCmd, err := exec.LookPath("go")
				if err != nil {
					t.Skip("no go command")
				}
				env["PATH"] += string(os.PathListSeparator) + filepath.Dir(goCmd)
				for _, k := range []string{"GOCACHE", "GOMODCACHE"} {
					out, err := exec.Command(goCmd, "env", k).Output()
					if err != nil {
						t.Fatal(err)
					}
					env[k] = strings.TrimSpace(string(out))
				}
				env["GOPROXY"], env["GOSUMDB"] = "off", "off"
			}
			for k, v := range fast {
				env[k] = v
			}
			for k, v := range tc.env {
				env[k] = v
			}
			for k, v := range tc.inputs {
				env[k] = v
			}
			f.rel.takeRequests()
			before := f.srv.CallCount("")
			r := runScript(t, f.bash, env)
			if r.code != tc.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			fill := strings.NewReplacer("{RESULT}", files.result, "{SUMMARY}", files.summary)
			matchTemplate(t, "stdout", fill.Replace(tc.stdout), r.stdout)
			if !strings.Contains(r.stderr, tc.log) {
				t.Errorf("stderr does not say %q:\n%s", tc.log, r.stderr)
			}
			if diff := cmp.Diff(tc.downloads, f.rel.takeRequests()); diff != "" {
				t.Errorf("requests to the release server (-want +got):\n%s", diff)
			}
			calls := f.srv.Calls("")[before:]
			if sent := len(calls) > 0; sent != tc.sent {
				t.Errorf("requests sent to ECR: %t, want %t", sent, tc.sent)
			}
			if tc.sent && tc.downloads != nil && len(calls) > 0 {
				t.Logf("from the script's start to the CLI's first request: %v", calls[0].Time.Sub(r.start))
			}

			gotOutputs := readOutputs(t, files.outputs)
			if tc.outputs == nil && len(gotOutputs) > 0 {
				t.Errorf("$GITHUB_OUTPUT: %q, want nothing", gotOutputs)
			}
			for name, want := range tc.outputs {
				got, ok := gotOutputs[name]
				if !ok {
					t.Errorf("$GITHUB_OUTPUT has no %s", name)
					continue
				}
				matchTemplate(t, "output "+name, fill.Replace(want), got)
				if name == "max-replication-seconds" && got != "" {
					// Counted from the push (the default), which came before this run.
					if s, err := strconv.ParseFloat(got, 64); err != nil || s < 0 || s > time.Since(f.created).Seconds() {
						t.Errorf("max-replication-seconds=%s is not a number of seconds since the images were pushed", got)
					}
				}
			}
			if !tc.summaryDir {
				gotSummary, err := os.ReadFile(files.summary)
				if err != nil {
					t.Fatal(err)
				}
				if tc.summary == "" && len(gotSummary) > 0 {
					t.Errorf("the job summary is %q, want it left empty", gotSummary)
				} else if !strings.Contains(string(gotSummary), tc.summary) {
					t.Errorf("the job summary does not name %q:\n%s", tc.summary, gotSummary)
				}
			}
			// Item 6 of the issue: the job's tools are untouched.
			for what, p := range map[string]string{"$GITHUB_PATH": files.path, "$GITHUB_ENV": files.env} {
				if b, err := os.ReadFile(p); err != nil || len(b) > 0 {
					t.Errorf("%s was written (%v): %q", what, err, b)
				}
			}
			text, err := os.ReadFile(files.result)
			switch {
			case tc.outputs["result"] == "" && err == nil:
				t.Errorf("the CLI ran and wrote %s, want nothing run", files.result)
			case tc.outputs["result"] != "" && err != nil:
				t.Errorf("no result document: %v", err)
			case tc.outputs["result"] != "":
				if err := validateDocument(t, f.bin, text); err != nil {
					t.Errorf("the result document breaks the CLI's schema: %v\n%s", err, text)
				}
			}
		})
	}
}

// validateDocument checks a JSON document against the schema that the
// CLI prints (ecr-replication schema).
func validateDocument(t *testing.T, bin string, text []byte) error {
	t.Helper()
	schemaText, err := exec.Command(bin, "schema").Output()
	if err != nil {
		t.Fatalf("ecr-replication schema: %v", err)
	}
	schemaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaText))
	if err != nil {
		t.Fatalf("ecr-replication schema prints no JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatalf("the CLI's schema does not compile: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return err
	}
	return sch.Validate(doc)
}
