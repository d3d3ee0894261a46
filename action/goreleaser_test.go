package action_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The release files that action/run.sh downloads, and that TestAction
// builds, are named and made as .goreleaser.yaml says: the archives
// ecr-replication_VERSION_OS_ARCH.tar.gz (zip on Windows) with the binary
// at their root, the checksums file ecr-replication_VERSION_checksums.txt
// of SHA-256 sums, and the binary built with the release build line that
// buildRelease uses. goreleaser check (.ci/run) checks the file's syntax;
// this checks what the action relies on.
func TestGoreleaserNames(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(repoRoot(t), ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, line := range strings.Split(string(text), "\n") {
		if trimmed := strings.TrimSpace(line); trimmed != "" && !strings.HasPrefix(trimmed, "#") {
			lines = append(lines, trimmed)
		}
	}
	has := func(want string) bool {
		for _, l := range lines {
			if l == want {
				return true
			}
		}
		return false
	}
	for _, want := range []string{
		"project_name: ecr-replication",
		"binary: ecr-replication",
		`name_template: "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}"`,
		"- tar.gz",
		"- goos: windows",
		"- zip",
		`name_template: "{{ .ProjectName }}_{{ .Version }}_checksums.txt"`,
		"algorithm: sha256",
		"- CGO_ENABLED=0",
		"- -trimpath",
		"- -s -w -X main.version=v{{.Version}}",
	} {
		if !has(want) {
			t.Errorf(".goreleaser.yaml has no line %q: action/run.sh and TestAction assume it", want)
		}
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "wrap_in_directory:") && l != "wrap_in_directory: false" {
			t.Errorf(".goreleaser.yaml: %q puts the binary in a directory; action/run.sh unpacks it from the archive's root", l)
		}
	}
}
