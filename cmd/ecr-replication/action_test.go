package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// The GitHub Action's script (action/run.sh, which action.yml runs), for
// real: bash runs it with the inputs in INPUT_* variables, as the runner
// does, and the CLI built from this package (ECR_REPLICATION_BIN, the
// script's test hook, instead of go install) waits against an ecrtest
// server on loopback with SigV4 required. Each case checks the exit code,
// the annotations on stdout, $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY
// exactly; only wall-clock times ({T}) and timing-dependent text ({*}) are
// matched by pattern. The test lives beside the CLI because the script's
// contract is the CLI's (its exit codes, render, the documents) and it
// shares the CLI tests' isolation from the machine's AWS configuration.
func TestAction(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "action", "run.sh"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "ecr-replication")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	srv := newServer(t, false, func(o *ecrtest.Options) { o.RequireAuth = true })
	now := ecrtest.Plan{}
	never := ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}
	both := func(east, west ecrtest.Plan) []ecrtest.DestinationPlan {
		return []ecrtest.DestinationPlan{{Region: "us-east-2", RegistryID: otherAccount, Plan: east}, {Region: "us-west-2", Plan: west}}
	}
	const hostileCode = "`|<script>alert(1)</script>\n::error::forged %0A [x](https://evil.example) @admin"
	push(t, srv, "team/api", "v1", both(now, now)...)
	push(t, srv, "team/web", "v1", both(now, now)...)
	push(t, srv, "app", "v1", both(now, now)...)
	slowDigest := push(t, srv, "slow", "v1", both(never, never)...)
	brokenDigest := push(t, srv, "broken", "v1", both(ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "ACCESS_DENIED"}, now)...)
	hostileDigest := push(t, srv, "hostile", "v1", both(ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: hostileCode}, now)...)
	creds, err := ecrtest.Credentials().Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	fast := map[string]string{"INPUT_TIMEOUT": "5s", "INPUT_MIN_DELAY": "100ms", "INPUT_MAX_DELAY": "100ms"}
	table := "| Image | Region | Registry | Status | Replication time | Failure code |\n| --- | --- | --- | --- | --- | --- |\n"

	for _, tc := range []struct {
		name   string
		inputs map[string]string
		// summaryDir makes $GITHUB_STEP_SUMMARY a directory: unwritable.
		summaryDir bool
		code       int
		stdout     string // a template: {T} a number, {*} any text on one line
		outputs    string // a template; "" means $GITHUB_OUTPUT is left empty
		summary    string // a template
		// sent says whether requests are sent.
		sent bool
	}{
		{
			name: "images complete",
			inputs: map[string]string{"INPUT_IMAGES": "# release\nteam/api:v1\n\nteam/web:v1\nteam/api:v1 # again: a duplicate\n", "INPUT_EXPECT_FROM_REGISTRY": "true",
				"INPUT_SINCE": "push", "INPUT_FAIL_FAST": "false", "INPUT_RATE_LIMIT": "20"},
			code:    exitOK,
			outputs: "result={RESULT}\nstatus=complete\nmax-replication-seconds={T}\n",
			summary: "✅ **2 images replicated** to every destination in {T} s (2 polls)\n\n" + table +
				"| team/api\\:v1 | us-east-2 | 210987654321 | COMPLETE | ≤ {T} s | – |\n" +
				"| team/api\\:v1 | us-west-2 | 123456789012 | COMPLETE | ≤ {T} s | – |\n" +
				"| team/web\\:v1 | us-east-2 | 210987654321 | COMPLETE | ≤ {T} s | – |\n" +
				"| team/web\\:v1 | us-west-2 | 123456789012 | COMPLETE | ≤ {T} s | – |\n\n",
			sent: true,
		},
		{
			name:    "one image complete, expected destinations",
			inputs:  map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_EXPECT": "us-west-2\n us-east-2:210987654321 \n"},
			code:    exitOK,
			outputs: "result={RESULT}\nstatus=complete\nmax-replication-seconds={T}\n",
			summary: "✅ **1 image replicated** to every destination in {T} s (1 poll)\n\n" + table +
				"| app\\:v1 | us-east-2 | 210987654321 | COMPLETE | ≤ {T} s | – |\n" +
				"| app\\:v1 | us-west-2 | 123456789012 | COMPLETE | ≤ {T} s | – |\n\n",
			sent: true,
		},
		{
			name:    "timeout",
			inputs:  map[string]string{"INPUT_REPOSITORY": "slow", "INPUT_TAG": "v1", "INPUT_TIMEOUT": "1s", "INPUT_MIN_DELAY": "100ms", "INPUT_MAX_DELAY": "200ms"},
			code:    exitTimeout,
			stdout:  "::error title=Timed out%3A slow%3Av1::waiting for slow:v1@" + slowDigest + ": timed out after {*}\n",
			outputs: "result={RESULT}\nstatus=timeout\nmax-replication-seconds=\n",
			summary: "⏱️ **Timed out** after {T} s: waiting for slow\\:v1\\@" + strings.ReplaceAll(slowDigest, ":", "\\:") + "\\: timed out after {*}\n\n" + table +
				"| slow\\:v1 | us-east-2 | 210987654321 | IN\\_PROGRESS | – | – |\n" +
				"| slow\\:v1 | us-west-2 | 123456789012 | IN\\_PROGRESS | – | – |\n\n",
			sent: true,
		},
		{
			name:   "replication failed",
			inputs: map[string]string{"INPUT_REPOSITORY": "broken", "INPUT_TAG": "v1"},
			code:   exitFailed,
			stdout: "::error title=Replication failed%3A broken%3Av1::waiting for broken:v1@" + brokenDigest +
				": replication failed to us-east-2 210987654321 FAILED: ACCESS_DENIED (1 attempt in {*})\n",
			outputs: "result={RESULT}\nstatus=failed\nmax-replication-seconds={T}\n",
			summary: "❌ **Replication failed**: waiting for broken\\:v1\\@" + strings.ReplaceAll(brokenDigest, ":", "\\:") +
				"\\: replication failed to us-east-2 210987654321 FAILED\\: ACCESS\\_DENIED (1 attempt in {*})\n\n" + table +
				"| broken\\:v1 | us-east-2 | 210987654321 | FAILED | – | ACCESS\\_DENIED |\n" +
				"| broken\\:v1 | us-west-2 | 123456789012 | COMPLETE | ≤ {T} s | – |\n\n",
			sent: true,
		},
		{
			name:   "hostile failure code",
			inputs: map[string]string{"INPUT_IMAGES": "hostile:v1"},
			code:   exitFailed,
			stdout: "::error title=Replication failed%3A hostile%3Av1::waiting for hostile:v1@" + hostileDigest +
				": replication failed to us-east-2 210987654321 FAILED: \"`|<script>alert(1)</script>\\n::error::forged %250A [x](https://evil\"... (80 characters) (1 attempt in {*})\n",
			outputs: "result={RESULT}\nstatus=failed\nmax-replication-seconds={T}\n",
			summary: "❌ **Replication failed**: 1 of 1 image did not complete: waiting for hostile\\:v1\\@" + strings.ReplaceAll(hostileDigest, ":", "\\:") +
				"\\: replication failed to us-east-2 210987654321 FAILED\\: \"\\`\\|\\<script\\>alert(1)\\</script\\>\\\\n\\:\\:error\\:\\:forged %0A \\[x\\](https\\://evil\"... (80 characters) (1 attempt in {*})\n\n" + table +
				"| hostile\\:v1 | us-east-2 | 210987654321 | FAILED | – | \\`\\|\\<script\\>alert(1)\\</script\\>\\\\n\\:\\:error\\:\\:forged %0A \\[x\\](https\\://evil.example) \\@admin |\n" +
				"| hostile\\:v1 | us-west-2 | 123456789012 | COMPLETE | ≤ {T} s | – |\n\n",
			sent: true,
		},
		{
			name:    "images and repository",
			inputs:  map[string]string{"INPUT_IMAGES": "team/api:v1", "INPUT_REPOSITORY": "app", "INPUT_TAG": "v1"},
			code:    exitUsage,
			stdout:  "::error title=Invalid input::--image and --images-from exclude --repository, --tag: name every image with --image or --images-from, and the registry with --registry-id\n",
			outputs: "result={RESULT}\nstatus=invalid-input\nmax-replication-seconds=\n",
			summary: "⛔ **Invalid input**: --image and --images-from exclude --repository, --tag\\: name every image with --image or --images-from, and the registry with --registry-id\n\n",
		},
		{
			name:    "no image",
			inputs:  map[string]string{},
			code:    exitUsage,
			stdout:  "::error title=Invalid input::repository name (--repository) is required%0A  --tag or --digest is required: name the image by tag, by digest or by both\n",
			outputs: "result={RESULT}\nstatus=invalid-input\nmax-replication-seconds=\n",
			summary: "⛔ **Invalid input**: repository name (--repository) is required; --tag or --digest is required\\: name the image by tag, by digest or by both\n\n",
		},
		{
			name:   "malformed booleans",
			inputs: map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1", "INPUT_FAIL_FAST": "yes", "INPUT_EXPECT_FROM_REGISTRY": "True\n::error::x"},
			code:   exitUsage,
			stdout: "::error title=ecr-replication%3A invalid input::input expect-from-registry is \"True?::error::x\": use true or false\n" +
				"::error title=ecr-replication%3A invalid input::input fail-fast is \"yes\": use true or false\n",
			outputs: "result=\nstatus=invalid-input\nmax-replication-seconds=\n",
		},
		{
			name:       "unwritable summary",
			inputs:     map[string]string{"INPUT_REPOSITORY": "app", "INPUT_TAG": "v1"},
			summaryDir: true,
			code:       exitOK,
			stdout:     "::warning title=ecr-replication::cannot write the job summary to \"{SUMMARY}\"; the result is in {RESULT}\n",
			outputs:    "result={RESULT}\nstatus=complete\nmax-replication-seconds={T}\n",
			sent:       true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			runnerTemp, outputs, summary := filepath.Join(dir, "runner-temp"), filepath.Join(dir, "github_output"), filepath.Join(dir, "step_summary")
			for _, p := range []string{runnerTemp, filepath.Join(dir, "home")} {
				if err := os.Mkdir(p, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(outputs, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.summaryDir {
				err = os.Mkdir(summary, 0o755)
			} else {
				err = os.WriteFile(summary, nil, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			env := map[string]string{
				"PATH": os.Getenv("PATH"), "HOME": filepath.Join(dir, "home"), "LC_ALL": "C",
				"RUNNER_TEMP": runnerTemp, "GITHUB_OUTPUT": outputs, "GITHUB_STEP_SUMMARY": summary,
				"AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey, "AWS_REGION": srv.Region(),
				"AWS_CONFIG_FILE": filepath.Join(dir, "no-config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-credentials"),
				"AWS_EC2_METADATA_DISABLED": "true",
				"ECR_REPLICATION_BIN":       bin,
				"INPUT_ENDPOINT_URL":        srv.URL,
			}
			for k, v := range fast {
				env[k] = v
			}
			for k, v := range tc.inputs {
				env[k] = v
			}
			cmd := exec.CommandContext(t.Context(), bash, script)
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			before := srv.CallCount("")
			err := cmd.Run()
			code := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				code = exitErr.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			if sent := srv.CallCount("") > before; sent != tc.sent {
				t.Errorf("requests sent: %t, want %t", sent, tc.sent)
			}
			result := filepath.Join(runnerTemp, "ecr-replication", "result.json")
			fill := strings.NewReplacer("{RESULT}", result, "{SUMMARY}", summary)
			matchTemplate(t, "stdout", fill.Replace(tc.stdout), stdout.String())
			gotOutputs, err := os.ReadFile(outputs)
			if err != nil {
				t.Fatal(err)
			}
			matchTemplate(t, "$GITHUB_OUTPUT", fill.Replace(tc.outputs), string(gotOutputs))
			if m := maxSeconds.FindStringSubmatch(string(gotOutputs)); m != nil {
				if s, err := strconv.ParseFloat(m[1], 64); err != nil || s < 0 || s > 5 {
					t.Errorf("max-replication-seconds=%s is not a number of seconds within the timeout", m[1])
				}
			}
			if !tc.summaryDir {
				gotSummary, err := os.ReadFile(summary)
				if err != nil {
					t.Fatal(err)
				}
				matchTemplate(t, "$GITHUB_STEP_SUMMARY", tc.summary, string(gotSummary))
			}
			if tc.code != exitUsage || tc.outputs != "result=\nstatus=invalid-input\nmax-replication-seconds=\n" {
				if _, err := os.Stat(result); err != nil {
					t.Errorf("no result document: %v", err)
				} else if text, _ := os.ReadFile(result); validateOutput(string(text)) != nil {
					t.Errorf("the result document breaks the schema: %v\n%s", validateOutput(string(text)), text)
				}
			}
		})
	}
}

// maxSeconds finds the value of max-replication-seconds.
var maxSeconds = regexp.MustCompile(`(?m)^max-replication-seconds=(.+)$`)

// matchTemplate checks that got is want, where in want {T} stands for a
// number (a wall-clock time) and {*} for any text on one line.
func matchTemplate(t *testing.T, what, want, got string) {
	t.Helper()
	pattern := regexp.QuoteMeta(want)
	pattern = strings.ReplaceAll(pattern, regexp.QuoteMeta("{T}"), `[0-9]+(?:\.[0-9]+)?`)
	pattern = strings.ReplaceAll(pattern, regexp.QuoteMeta("{*}"), `[^\n]*`)
	if !regexp.MustCompile(`\A` + pattern + `\z`).MatchString(got) {
		t.Errorf("%s does not match (-want +got):\n%s", what, cmp.Diff(want, got))
	}
}
