package action_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// otherAccount is the cross-account destination of the test server.
const otherAccount = "210987654321"

// fixture is what a run of the action's script needs: the CLI built with
// the release build line, its release served from loopback, an ecrtest
// server on loopback with SigV4 required, and a PATH without Go.
type fixture struct {
	bash     string
	bin      string // the CLI, stamped v + released
	released string // action/VERSION
	rel      *releaseServer
	srv      *ecrtest.Server
	created  time.Time // before any image was pushed
	creds    aws.Credentials
	noGo     string // a PATH of only the script's tools
	// The runner and the release archive for this machine.
	runnerOS, runnerArch, goos, goarch string
	asset                              string // the archive of released for this machine
	archive                            []byte
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{released: releasedVersion(t)}
	var err error
	if f.bash, err = exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	f.runnerOS, f.runnerArch, f.goos, f.goarch = runner(t)
	f.noGo = toolsPath(t, scriptTools...)
	f.bin = buildRelease(t, t.TempDir(), f.released)
	binary, err := os.ReadFile(f.bin)
	if err != nil {
		t.Fatal(err)
	}
	readme := archiveFile{name: "README.md", mode: 0o644, body: []byte("# ecr-replication\n")}
	f.asset = archiveName(f.released, f.goos, f.goarch)
	f.archive = makeTarGz(t, archiveFile{name: "ecr-replication", mode: 0o755, body: binary}, readme)
	f.rel = newReleaseServer(t)
	f.rel.publish(f.released, map[string][]byte{
		f.asset: f.archive,
		// The Windows archive of the same runner architecture: this
		// machine's binary, named as on Windows, so that a run with
		// RUNNER_OS=Windows unpacks a zip and runs what it holds.
		archiveName(f.released, "windows", f.goarch): makeZip(t, archiveFile{name: "ecr-replication.exe", mode: 0o755, body: binary}, readme),
	})

	f.srv, f.created = ecrtest.NewServer(func(o *ecrtest.Options) { o.RequireAuth = true }), time.Now()
	t.Cleanup(f.srv.Close)
	err = f.srv.PutReplicationConfiguration(types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{{
			Destinations: []types.ReplicationDestination{
				{Region: aws.String("us-west-2"), RegistryId: aws.String(f.srv.AccountID())},
				{Region: aws.String("us-east-2"), RegistryId: aws.String(otherAccount)},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.creds, err = ecrtest.Credentials().Retrieve(t.Context()); err != nil {
		t.Fatal(err)
	}
	return f
}

// push pushes repo:tag, replicating to us-east-2 in otherAccount as east
// says and to us-west-2 as west says, and returns the digest.
func (f *fixture) push(t testing.TB, repo, tag string, east, west ecrtest.Plan) string {
	t.Helper()
	digest, err := f.srv.PushImage(repo, tag,
		ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: east},
		ecrtest.DestinationPlan{Region: "us-west-2", Plan: west})
	if err != nil {
		t.Fatal(err)
	}
	return digest
}

// runFiles are the files of one run, in its own directory.
type runFiles struct {
	runnerTemp, outputs, summary, path, env string
	result                                  string // where the script writes the JSON document
}

// env returns the environment of a run as the runner gives it to the
// action's step at the release's own tag: no AWS configuration but the
// test credentials, the release server, the ecrtest server as the
// endpoint, and PATH without Go. It makes the run's files in a new
// directory; with summaryDir $GITHUB_STEP_SUMMARY is a directory, which
// cannot be written.
func (f *fixture) env(t testing.TB, summaryDir bool) (map[string]string, runFiles) {
	t.Helper()
	dir := t.TempDir()
	files := runFiles{
		runnerTemp: filepath.Join(dir, "runner-temp"), outputs: filepath.Join(dir, "github_output"),
		summary: filepath.Join(dir, "step_summary"), path: filepath.Join(dir, "github_path"), env: filepath.Join(dir, "github_env"),
	}
	files.result = filepath.Join(files.runnerTemp, "ecr-replication", "result.json")
	for _, p := range []string{files.runnerTemp, filepath.Join(dir, "home")} {
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{files.outputs, files.path, files.env} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if summaryDir {
		err = os.Mkdir(files.summary, 0o755)
	} else {
		err = os.WriteFile(files.summary, nil, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"PATH": f.noGo, "HOME": filepath.Join(dir, "home"), "LC_ALL": "C",
		"RUNNER_OS": f.runnerOS, "RUNNER_ARCH": f.runnerArch, "RUNNER_TEMP": files.runnerTemp,
		"GITHUB_OUTPUT": files.outputs, "GITHUB_STEP_SUMMARY": files.summary, "GITHUB_PATH": files.path, "GITHUB_ENV": files.env,
		"ACTION_REF":                  "v" + f.released,
		"ECR_REPLICATION_RELEASE_URL": f.rel.URL,
		"AWS_ACCESS_KEY_ID":           f.creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": f.creds.SecretAccessKey, "AWS_REGION": f.srv.Region(),
		"AWS_CONFIG_FILE": filepath.Join(dir, "no-config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED": "true",
		"INPUT_ENDPOINT_URL":        f.srv.URL,
	}, files
}
