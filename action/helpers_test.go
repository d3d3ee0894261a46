package action_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// repoRoot returns the repository's root: the parent of action/, which
// holds go.mod, action.yml and action/run.sh.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !bytes.HasPrefix(mod, []byte("module github.com/ecrkit/ecrreplication\n")) {
		t.Fatalf("%s is not the module's root: go.mod: %v", root, err)
	}
	return root
}

// releasedVersion returns action/VERSION: the version (without "v") that
// the action's source is released as.
func releasedVersion(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "action", "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	v := strings.TrimSpace(string(b))
	if !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`).MatchString(v) {
		t.Fatalf("action/VERSION is %q, want a semantic version such as 1.2.3, without the v", v)
	}
	return v
}

// runner returns RUNNER_OS and RUNNER_ARCH for this machine, and the GOOS
// and GOARCH of the release archive that runs here; it skips the test on a
// machine that has no release or cannot run the script.
func runner(t testing.TB) (runnerOS, runnerArch, goos, goarch string) {
	t.Helper()
	switch runtime.GOOS {
	case "linux":
		runnerOS = "Linux"
	case "darwin":
		runnerOS = "macOS"
	default:
		t.Skipf("the action's script is tested on Linux and macOS, not %s", runtime.GOOS)
	}
	switch runtime.GOARCH {
	case "amd64":
		runnerArch = "X64"
	case "arm64":
		runnerArch = "ARM64"
	default:
		t.Skipf("there is no release archive for %s", runtime.GOARCH)
	}
	return runnerOS, runnerArch, runtime.GOOS, runtime.GOARCH
}

// buildRelease builds the CLI with the release build line of
// .goreleaser.yaml, stamped vVERSION, into dir, and returns its path.
func buildRelease(t testing.TB, dir, version string) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the CLI with")
	}
	bin := filepath.Join(dir, "ecr-replication")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=v"+version, "-o", bin, "./cmd/ecr-replication")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// archiveName is the name GoReleaser gives a release archive
// (.goreleaser.yaml: ProjectName_Version_Os_Arch, zip on Windows).
func archiveName(version, goos, goarch string) string {
	if goos == "windows" {
		return fmt.Sprintf("ecr-replication_%s_%s_%s.zip", version, goos, goarch)
	}
	return fmt.Sprintf("ecr-replication_%s_%s_%s.tar.gz", version, goos, goarch)
}

// checksumsName is the name of a release's checksums file.
func checksumsName(version string) string {
	return fmt.Sprintf("ecr-replication_%s_checksums.txt", version)
}

// archiveFile is one file of a release archive.
type archiveFile struct {
	name string
	mode os.FileMode
	body []byte
}

// makeTarGz and makeZip make archives as GoReleaser does: the binary and
// the README at the archive's root.
func makeTarGz(t testing.TB, files ...archiveFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: int64(f.mode), Size: int64(len(f.body)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func makeZip(t testing.TB, files ...archiveFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		h.SetMode(f.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sha256Hex is the SHA-256 of b in lower-case hex.
func sha256Hex(b []byte) string {
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// checksums is a checksums file as GoReleaser writes it: "SHA256  NAME"
// lines, sorted by name.
func checksums(archives map[string][]byte) []byte {
	var names []string
	for name := range archives {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		fmt.Fprintf(&b, "%s  %s\n", sha256Hex(archives[name]), name)
	}
	return []byte(b.String())
}

// releaseServer serves release files at /vVERSION/NAME on loopback, as
// GitHub serves a release's assets, and records the paths asked for.
type releaseServer struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte // by path
	requests []string
}

func newReleaseServer(t testing.TB) *releaseServer {
	s := &releaseServer{files: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *releaseServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	body, ok := s.files[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// put serves body at /vVERSION/NAME.
func (s *releaseServer) put(version, name string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files["/v"+version+"/"+name] = body
}

// publish serves a release: its archives and their checksums file.
func (s *releaseServer) publish(version string, archives map[string][]byte) {
	for name, body := range archives {
		s.put(version, name, body)
	}
	s.put(version, checksumsName(version), checksums(archives))
}

// takeRequests returns the requests received since the last call.
func (s *releaseServer) takeRequests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.requests
	s.requests = nil
	return r
}

// scriptTools are the commands that action/run.sh runs on its download
// path besides bash itself (unzip only for Windows' zip archives).
var scriptTools = []string{"cat", "curl", "gzip", "mkdir", "rm", "sha256sum", "tar"}

// toolsPath returns a directory holding links to tools and nothing else:
// the PATH of a run without Go. It skips the test when a tool is missing.
func toolsPath(t testing.TB, tools ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, tool := range tools {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("%s is not installed: the action's script needs it", tool)
		}
		if err := os.Symlink(p, filepath.Join(dir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// scriptRun is how one run of action/run.sh went.
type scriptRun struct {
	code           int
	stdout, stderr string
	start          time.Time
}

// runScript runs action/run.sh with bash, args and exactly env as its
// environment, as the runner runs the action's step.
func runScript(t testing.TB, bash string, env map[string]string, args ...string) scriptRun {
	t.Helper()
	// Two minutes: far more than any run needs, far less than go test's
	// own time-out, so that a hung run fails with its output.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, append([]string{filepath.Join(repoRoot(t), "action", "run.sh")}, args...)...)
	cmd.Env = []string{} // not nil: nil would mean this process's environment
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	r := scriptRun{start: time.Now()}
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		r.code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r
}

// readOutputs parses a $GITHUB_OUTPUT file of name=value lines; a name
// written twice is an error.
func readOutputs(t testing.TB, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("$GITHUB_OUTPUT line %q is not name=value", line)
			continue
		}
		if _, dup := out[k]; dup {
			t.Errorf("$GITHUB_OUTPUT sets %s twice:\n%s", k, b)
		}
		out[k] = v
	}
	return out
}

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
