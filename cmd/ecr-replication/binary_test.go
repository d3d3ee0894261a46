package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// The edges of --images-from against the built binary, as a pipeline runs
// it: real files, a real stdin, real signals.

// startBinary starts the built binary with args against srv (nil: no
// server), with the static test credentials in its environment, stdin
// from stdin, or from the pipe it returns when stdin is nil.
func startBinary(t *testing.T, srv *ecrtest.Server, stdin io.Reader, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer, io.WriteCloser) {
	t.Helper()
	endpoint := "http://127.0.0.1:9" // discards: nothing may be sent
	if srv != nil {
		endpoint = srv.URL
	}
	cmd := exec.Command(builtBinary(t), append([]string{"--endpoint-url", endpoint, "--region", "us-east-1"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+ecrtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+ecrtest.SecretAccessKey)
	var stdout, stderr bytes.Buffer
	var pipe io.WriteCloser
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	if stdin == nil {
		var err error
		if pipe, err = cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, &stdout, &stderr, pipe
}

// exitCode waits for cmd and returns its exit code and how long that took.
func exitCode(t *testing.T, cmd *exec.Cmd) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return exitErr.ExitCode(), time.Since(start)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, time.Since(start)
	case <-time.After(10 * time.Second):
		t.Fatal("the binary is still running after 10 s")
		return -1, 0
	}
}

// fast are the delays of a wait against a loopback server.
var fast = []string{"--min-delay", "50ms", "--max-delay", "50ms", "--output", "json", "--quiet"}

// --images-from given twice reads both files, in order, after --image.
func TestBinaryImagesFromTwice(t *testing.T) {
	srv := newServer(t, false)
	for _, repo := range []string{"aa", "bb", "cc", "dd"} {
		push(t, srv, repo, "v1")
	}
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.txt"), filepath.Join(dir, "second.txt")
	os.WriteFile(first, []byte("bb:v1\ncc:v1\n"), 0o600)
	os.WriteFile(second, []byte("# more\ndd:v1\n"), 0o600)
	cmd, stdout, stderr, _ := startBinary(t, srv, strings.NewReader(""), append([]string{"wait", "--image", "aa:v1", "--images-from", first, "--images-from", second}, fast...)...)
	if code, _ := exitCode(t, cmd); code != exitOK {
		t.Fatalf("exit code %d, want 0; stderr:\n%s", code, stderr)
	}
	var names []string
	for _, img := range decodeJSON(t, stdout.String())["images"].([]any) {
		names = append(names, img.(map[string]any)["repository"].(string))
	}
	if strings.Join(names, " ") != "aa bb cc dd" {
		t.Errorf("images %q, want aa bb cc dd", names)
	}
}

// --images-from - with stdin left open still ends at --timeout (exit 3)
// and at SIGTERM or SIGINT (exit 130), within a second, with the document.
func TestBinaryStdinLeftOpen(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		signal  os.Signal
		code    int
		outcome string
		within  time.Duration // after the start
	}{
		{"timeout", []string{"--timeout", "1s"}, nil, exitTimeout, "timeout", 2 * time.Second},
		{"SIGTERM", nil, syscall.SIGTERM, exitInterrupted, "interrupted", 1300 * time.Millisecond},
		{"SIGINT", nil, os.Interrupt, exitInterrupted, "interrupted", 1300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			cmd, stdout, stderr, w := startBinary(t, nil, nil, append([]string{"wait", "--images-from", "-", "--output", "json"}, tc.args...)...)
			w.Write([]byte("app:v1\n")) // and no end of file
			if tc.signal != nil {
				time.Sleep(300 * time.Millisecond) // a real process: the signal comes while it reads
				cmd.Process.Signal(tc.signal)
			}
			code, _ := exitCode(t, cmd)
			if took := time.Since(start); code != tc.code || took > tc.within {
				t.Errorf("exit code %d after %v, want %d within %v; stderr:\n%s", code, took, tc.code, tc.within, stderr)
			}
			doc := decodeJSON(t, stdout.String())
			if doc["outcome"] != tc.outcome || doc["exitCode"] != float64(tc.code) {
				t.Errorf("document %v, want outcome %s", doc, tc.outcome)
			}
		})
	}
}

// A line of exactly 64 KiB (65,536 bytes, without its line break) is read;
// one byte more is refused, naming the file, the line and the limit.
func TestBinaryLineLimit(t *testing.T) {
	srv := newServer(t, false)
	push(t, srv, "app", "v1")
	line := func(n int) string { return "app:v1 #" + strings.Repeat("x", n-len("app:v1 #")) }
	for _, tc := range []struct {
		name, list string
		code       int
	}{
		{"65536 bytes", "# images\n" + line(65536) + "\n", exitOK},
		{"65536 bytes and CRLF", line(65536) + "\r\n", exitOK},
		{"65536 bytes at the end", line(65536), exitOK},
		{"65537 bytes", "# images\n" + line(65537) + "\n", exitUsage},
		{"65537 bytes at the end", line(65537), exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd, stdout, stderr, _ := startBinary(t, srv, strings.NewReader(tc.list), append([]string{"wait", "--images-from", "-"}, fast...)...)
			code, _ := exitCode(t, cmd)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d; stderr:\n%.500s", code, tc.code, stderr)
			}
			if tc.code == exitOK {
				if img := imageOf(t, stdout.String()); img["repository"] != "app" || img["imageTag"] != "v1" {
					t.Errorf("image %v, want app:v1", img)
				}
				return
			}
			n := strings.Count(tc.list[:strings.Index(tc.list, "x")], "\n") + 1
			want := "ecr-replication: error: --images-from stdin: line " + string(rune('0'+n)) + " is longer than 64 KiB (65536 bytes), the limit of a line\n"
			if !strings.HasPrefix(stderr.String(), want) {
				t.Errorf("stderr does not begin with %q:\n%s", want, stderr)
			}
		})
	}
}
