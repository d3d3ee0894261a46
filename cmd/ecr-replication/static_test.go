package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The container image's build (Dockerfile, .dockerignore) and the release
// build (.goreleaser.yaml) cannot be run here: there is no Docker engine,
// and a release needs a tag and credentials. These tests check instead what
// those files promise: the binary that the Dockerfile's "go build" line
// makes is static and runs with an empty environment, as on
// distroless/static; the final stage runs it as a non-root user; the build
// context keeps every file the build reads; and GoReleaser builds with the
// same flags.

// staticTestVersion is the VERSION build argument of the test build.
const staticTestVersion = "v0.0.0-statictest"

// moduleRoot returns the repository's root directory, which holds go.mod,
// the Dockerfile and .dockerignore.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !bytes.HasPrefix(mod, []byte("module github.com/ecrkit/ecrreplication\n")) {
		t.Fatalf("%s is not the module's root: go.mod: %v", root, err)
	}
	return root
}

// instruction is one instruction of a Dockerfile, its continuation lines
// joined.
type instruction struct {
	line int    // where it starts, from 1
	cmd  string // upper case: FROM, RUN, ...
	args string
}

// parseDockerfile returns the instructions of a Dockerfile, without comments
// and blank lines.
func parseDockerfile(text string) []instruction {
	var out []instruction
	var cur *instruction
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue // comments may also stand between continuation lines
		}
		more := strings.HasSuffix(trimmed, `\`)
		trimmed = strings.TrimSpace(strings.TrimSuffix(trimmed, `\`))
		if cur == nil {
			cmd, args, _ := strings.Cut(trimmed, " ")
			out = append(out, instruction{line: i + 1, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
			cur = &out[len(out)-1]
		} else {
			cur.args += " " + trimmed
		}
		if !more {
			cur = nil
		}
	}
	return out
}

// readDockerfile returns the instructions of the repository's Dockerfile,
// split into its stages, each starting with its FROM.
func readDockerfile(t *testing.T) [][]instruction {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(moduleRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]instruction
	for _, in := range parseDockerfile(string(text)) {
		switch {
		case in.cmd == "FROM":
			stages = append(stages, []instruction{in})
		case len(stages) == 0 && in.cmd != "ARG":
			t.Fatalf("Dockerfile:%d: %s before the first FROM", in.line, in.cmd)
		case len(stages) > 0:
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a builder stage and a final stage", len(stages))
	}
	return stages
}

// shellWords splits a shell command line into words, with single and double
// quotes, and expands ${NAME} and $NAME from vars. It reports an error for a
// variable that vars lacks and for shell syntax it does not know (which a
// Dockerfile's build line should not need).
func shellWords(line string, vars map[string]string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord := false
	var quote rune
	expand := func(s string, i int) (int, error) {
		var name string
		end := i + 1
		if end < len(s) && s[end] == '{' {
			close := strings.IndexByte(s[end:], '}')
			if close < 0 {
				return 0, fmt.Errorf("unclosed ${ in %q", line)
			}
			name, end = s[end+1:end+close], end+close+1
		} else {
			for end < len(s) && (s[end] == '_' || 'A' <= s[end] && s[end] <= 'Z' || 'a' <= s[end] && s[end] <= 'z' || '0' <= s[end] && s[end] <= '9') {
				end++
			}
			name = s[i+1 : end]
		}
		v, ok := vars[name]
		if !ok {
			return 0, fmt.Errorf("variable %q in %q is not one the test knows", name, line)
		}
		word.WriteString(v)
		return end, nil
	}
	for i := 0; i < len(line); {
		c := rune(line[i])
		switch {
		case quote == '\'' && c != '\'':
			word.WriteRune(c)
			i++
		case quote != 0 && c == quote:
			quote = 0
			i++
		case c == '$':
			end, err := expand(line, i)
			if err != nil {
				return nil, err
			}
			inWord = true
			i = end
		case quote == '"':
			if c == '\\' || c == '`' {
				return nil, fmt.Errorf("%q: backslashes and backquotes inside double quotes are not supported", line)
			}
			word.WriteRune(c)
			i++
		case c == '\'' || c == '"':
			quote, inWord = c, true
			i++
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
			i++
		case strings.ContainsRune("\\`;&|<>()*?[]~#", c):
			return nil, fmt.Errorf("%q: shell syntax %q is not supported in the build line", line, c)
		default:
			word.WriteRune(c)
			inWord = true
			i++
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c in %q", quote, line)
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

// shellWords splits words, honours quotes, expands only the variables it is
// given, and refuses shell syntax the test cannot follow.
func TestShellWords(t *testing.T) {
	vars := map[string]string{"VERSION": "v1.2.3", "OS": "linux"}
	for _, tt := range []struct {
		line    string
		want    []string
		wantErr bool
	}{
		{line: `CGO_ENABLED=0 GOOS=${OS} go build -ldflags "-s -w -X main.version=${VERSION}" -o /out/x ./cmd/x`,
			want: []string{"CGO_ENABLED=0", "GOOS=linux", "go", "build", "-ldflags", "-s -w -X main.version=v1.2.3", "-o", "/out/x", "./cmd/x"}},
		{line: `a  'b $VERSION'   "c $VERSION"x $OS`, want: []string{"a", "b $VERSION", "c v1.2.3x", "linux"}},
		{line: `GOOS= go build`, want: []string{"GOOS=", "go", "build"}},
		{line: `go build ${UNKNOWN}`, wantErr: true},
		{line: `go build "unclosed`, wantErr: true},
		{line: `go mod download && go build`, wantErr: true},
	} {
		got, err := shellWords(tt.line, vars)
		if (err != nil) != tt.wantErr {
			t.Errorf("shellWords(%q): error %v, want error: %t", tt.line, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("shellWords(%q) (-want +got):\n%s", tt.line, diff)
		}
	}
}

// dockerBuild is the Dockerfile's "go build" line, taken apart.
type dockerBuild struct {
	env    []string // NAME=VALUE before go
	flags  []string // go build's flags, without -o
	output string   // the -o path
	pkg    string   // the package built
}

// dockerfileBuild returns the "go build" line of the Dockerfile's builder
// stage with the build arguments VERSION=staticTestVersion and TARGETOS and
// TARGETARCH of this machine.
func dockerfileBuild(t *testing.T) dockerBuild {
	t.Helper()
	vars := map[string]string{"VERSION": staticTestVersion, "TARGETOS": runtime.GOOS, "TARGETARCH": runtime.GOARCH}
	var found []dockerBuild
	for _, stage := range readDockerfile(t) {
		for _, in := range stage {
			if in.cmd != "RUN" || !strings.Contains(in.args, "go build") {
				continue
			}
			words, err := shellWords(in.args, vars)
			if err != nil {
				t.Fatalf("Dockerfile:%d: %v", in.line, err)
			}
			var b dockerBuild
			for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
				b.env, words = append(b.env, words[0]), words[1:]
			}
			if len(words) < 3 || words[0] != "go" || words[1] != "build" {
				t.Fatalf("Dockerfile:%d: want [NAME=VALUE...] go build FLAGS... PACKAGE, got %q", in.line, words)
			}
			words = words[2:]
			b.pkg, words = words[len(words)-1], words[:len(words)-1]
			for i := 0; i < len(words); i++ {
				switch w := words[i]; {
				case w == "-o" && i+1 < len(words):
					b.output = words[i+1]
					i++
				case w == "-ldflags" && i+1 < len(words):
					b.flags = append(b.flags, w, words[i+1])
					i++
				case strings.HasPrefix(w, "-") && !strings.Contains(w, "="):
					b.flags = append(b.flags, w)
				default:
					t.Fatalf("Dockerfile:%d: go build argument %q is not one the test knows (-o PATH, -ldflags FLAGS, or a flag without a value)", in.line, w)
				}
			}
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		t.Fatalf("Dockerfile has %d RUN lines with go build, want 1", len(found))
	}
	b := found[0]
	if b.pkg != "./cmd/ecr-replication" || b.output == "" {
		t.Fatalf("Dockerfile's go build makes %q from %q, want -o PATH ./cmd/ecr-replication", b.output, b.pkg)
	}
	return b
}

// buildLikeDockerfile builds the command the way the Dockerfile does, into a
// temporary directory, and returns the binary's path.
func buildLikeDockerfile(t *testing.T, b dockerBuild) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build with: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "ecr-replication")
	args := append(append([]string{"build"}, b.flags...), "-o", bin, b.pkg)
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), b.env...)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s go %q: %v\n%s", strings.Join(b.env, " "), args, err, out)
	}
	t.Logf("%s go %q: %v", strings.Join(b.env, " "), args, time.Since(start).Round(time.Millisecond))
	return bin
}

// The binary that the Dockerfile's build line makes has no cgo, no file
// system paths and the stamped version, is statically linked, and runs
// "version" and the demo (over loopback) with an empty environment, as on
// distroless/static.
func TestStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary (with -trimpath, so once more than the other binary tests)")
	}
	b := dockerfileBuild(t)
	for _, want := range []string{"CGO_ENABLED=0", "GOOS=" + runtime.GOOS, "GOARCH=" + runtime.GOARCH} {
		if !slices.Contains(b.env, want) {
			t.Errorf("Dockerfile's go build line sets %q, want %s among them", b.env, want)
		}
	}
	if !slices.Contains(b.flags, "-trimpath") {
		t.Errorf("Dockerfile's go build flags %q lack -trimpath", b.flags)
	}
	bin := buildLikeDockerfile(t, b)

	bi, err := buildinfo.ReadFile(bin) // what "go version -m" prints
	if err != nil {
		t.Fatal(err)
	}
	built := map[string]string{}
	for _, s := range bi.Settings {
		built[s.Key] = s.Value
	}
	// With -trimpath, go build does not record -ldflags (they may hold
	// paths); "version" below shows that -X main.version took effect.
	for key, want := range map[string]string{"CGO_ENABLED": "0", "-trimpath": "true"} {
		if built[key] != want {
			t.Errorf("go version -m: build %s=%q, want %q", key, built[key], want)
		}
	}
	if runtime.GOOS == "linux" {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		libs, err := f.ImportedLibraries()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("the binary has a dynamic loader (PT_INTERP): it would not run on distroless/static")
			}
		}
		if len(libs) > 0 {
			t.Errorf("the binary needs shared libraries %q: it would not run on distroless/static", libs)
		}
		f.Close()
	}

	// The ldflags' -X main.version must reach the version variable.
	wantLine := versionInfo(staticTestVersion, bi).line() + "\n"
	if !strings.HasPrefix(wantLine, "ecr-replication "+staticTestVersion+" ") {
		t.Fatalf("version line %q does not start with the stamped version %s", wantLine, staticTestVersion)
	}
	wantJSON, err := json.MarshalIndent(versionInfo(staticTestVersion, bi), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	// The demo's timings are scaled by --speed; 20 leaves its wait 750 ms
	// for 300 ms of scripted replication, enough on a busy machine.
	for _, tc := range []struct {
		args       []string
		code       int
		wantStdout string // exact, if not empty
		wantOut    string // a regular expression that stdout matches
		wantErr    string // what stderr holds, if anything
	}{
		{args: []string{"version"}, wantStdout: wantLine},
		{args: []string{"--version"}, wantStdout: wantLine},
		{args: []string{"version", "--output", "json"}, wantStdout: string(wantJSON) + "\n"},
		{args: []string{"demo", "--speed", "20", "--quiet"}, wantOut: `(?m)^demo/web-app:v1.0.0 +us-east-2 +` + demoOtherAccount + ` +COMPLETE `},
		{args: []string{"demo", "--speed", "20", "--quiet", "--fail"}, code: exitFailed,
			wantOut: `(?m)^demo/web-app:v1.0.0 +us-east-2 +` + demoOtherAccount + ` +FAILED +- +REPLICATION_FAILED$`, wantErr: "replication failed to us-east-2 " + demoOtherAccount + " FAILED: REPLICATION_FAILED"},
		{args: []string{"demo", "--speed", "20", "--quiet", "--output", "json"}, wantOut: `(?m)^  "complete": true,$`},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		cmd := exec.CommandContext(ctx, bin, tc.args...)
		cmd.Env = []string{} // not nil: nil would mean this process's environment
		cmd.Dir = t.TempDir()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		code := 0
		if exitErr := (*exec.ExitError)(nil); errors.As(err, &exitErr) {
			code = exitErr.ExitCode()
		} else if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if code != tc.code {
			t.Errorf("%q with an empty environment: exit code %d, want %d; stderr:\n%s", tc.args, code, tc.code, stderr.String())
		}
		if tc.wantErr == "" && stderr.Len() > 0 || !strings.Contains(stderr.String(), tc.wantErr) {
			t.Errorf("%q with an empty environment: stderr, want %q (or nothing if empty):\n%s", tc.args, tc.wantErr, stderr.String())
		}
		if tc.wantStdout != "" && stdout.String() != tc.wantStdout {
			t.Errorf("%q: stdout\n%s\nwant\n%s", tc.args, stdout.String(), tc.wantStdout)
		}
		if !regexp.MustCompile(tc.wantOut).MatchString(stdout.String()) {
			t.Errorf("%q: stdout does not match %s:\n%s", tc.args, tc.wantOut, stdout.String())
		}
		if slices.Contains(tc.args, "json") && slices.Contains(tc.args, "demo") {
			decodeJSON(t, stdout.String())
		}
	}
}

// The Dockerfile builds with a Go at least as new as go.mod's, and its final
// stage is distroless/static or scratch (there is no libc, so the binary
// must be static), copies the binary that the build line makes, runs it as
// a non-root user, and has it as its exec-form entrypoint.
func TestDockerfileFinalStage(t *testing.T) {
	stages := readDockerfile(t)
	builder, final := stages[0], stages[len(stages)-1]
	output := dockerfileBuild(t).output

	mod, err := os.ReadFile(filepath.Join(moduleRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (1\.\d+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	fromWords := strings.Fields(builder[0].args)
	image := fromWords[slices.IndexFunc(fromWords, func(w string) bool { return !strings.HasPrefix(w, "--") })]
	if tag, ok := strings.CutPrefix(image, "golang:"); !ok || !(tag == string(m[1]) || strings.HasPrefix(tag, string(m[1])+"-") || strings.HasPrefix(tag, string(m[1])+".")) {
		t.Errorf("Dockerfile:%d: the builder is %q, want golang:%s-... (go.mod's go %s)", builder[0].line, image, m[1], m[1])
	}

	image = strings.Fields(final[0].args)[0]
	if !strings.HasPrefix(image, "gcr.io/distroless/static") && image != "scratch" {
		t.Errorf("Dockerfile:%d: the final stage is FROM %q, want gcr.io/distroless/static-... or scratch", final[0].line, image)
	}
	var user, entrypoint, copied string
	for _, in := range final {
		switch in.cmd {
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			entrypoint = in.args
		case "COPY":
			if w := strings.Fields(in.args); len(w) == 3 && strings.HasPrefix(w[0], "--from=") && w[1] == output {
				copied = w[2]
			}
		}
	}
	if name, _, _ := strings.Cut(user, ":"); name == "" || name == "root" || name == "0" {
		t.Errorf("Dockerfile: the final stage's USER is %q, want a non-root user such as nonroot:nonroot", user)
	}
	if copied == "" {
		t.Errorf("Dockerfile: the final stage does not COPY --from=... the build line's %s", output)
	}
	var argv []string
	if err := json.Unmarshal([]byte(entrypoint), &argv); err != nil || len(argv) == 0 || argv[0] != copied {
		t.Errorf("Dockerfile: ENTRYPOINT %s, want the exec form [%q] (the copied binary): %v", entrypoint, copied, err)
	}
}

// dockerignore is a .dockerignore file's patterns, matched like Docker's
// (github.com/moby/patternmatcher): relative to the context's root, with *,
// ?, [...] and ** (any number of directories), later patterns overriding
// earlier ones, "!" re-including, and a directory's pattern applying to
// everything in it.
type dockerignore []struct {
	re      *regexp.Regexp
	include bool
	text    string
}

// parseDockerignore parses the text of a .dockerignore file.
func parseDockerignore(text string) (dockerignore, error) {
	var d dockerignore
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := line
		include := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		p = strings.TrimPrefix(path.Clean(strings.TrimSpace(p)), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(p); i++ {
			switch c := p[i]; c {
			case '*':
				if i+1 < len(p) && p[i+1] == '*' {
					i++
					if i+1 < len(p) && p[i+1] == '/' {
						i++
						re.WriteString("(.*/)?")
					} else {
						re.WriteString(".*")
					}
				} else {
					re.WriteString("[^/]*")
				}
			case '?':
				re.WriteString("[^/]")
			case '[':
				end := strings.IndexByte(p[i:], ']')
				if end < 0 {
					return nil, fmt.Errorf(".dockerignore:%d: %q has an unclosed [", n+1, line)
				}
				re.WriteString(p[i : i+end+1]) // as in Go's regexp: [^...] negates
				i += end
			case '\\':
				if i+1 < len(p) {
					i++
					re.WriteString(regexp.QuoteMeta(p[i : i+1]))
				}
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString("$")
		compiled, err := regexp.Compile(re.String())
		if err != nil {
			return nil, fmt.Errorf(".dockerignore:%d: %q: %v", n+1, line, err)
		}
		d = append(d, struct {
			re      *regexp.Regexp
			include bool
			text    string
		}{compiled, include, line})
	}
	return d, nil
}

// excludes reports whether the file at name (slash-separated, relative to
// the context's root) is left out of the build context, and by which
// pattern.
func (d dockerignore) excludes(name string) (bool, string) {
	excluded, by := false, ""
	for _, p := range d {
		// The pattern matches the file or one of the directories it is in.
		matched := false
		for prefix := name; prefix != "."; prefix = path.Dir(prefix) {
			if p.re.MatchString(prefix) {
				matched = true
				break
			}
		}
		if matched {
			excluded, by = !p.include, p.text
		}
	}
	return excluded, by
}

// The .dockerignore matcher follows Docker's rules (the expectations were
// checked against github.com/moby/patternmatcher v0.6.1): root-relative
// patterns, ** across directories, [^...] classes, "!" exceptions, and
// directories' patterns covering their contents.
func TestDockerignoreMatcher(t *testing.T) {
	d, err := parseDockerignore("*\n!go.mod\n!*.go\n!cmd\n**/*_test.go\n/bin/\ncmd/x/x\ncmd/[^m]*.txt\n")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"go.mod": false, "go.sum": true, "a.go": false, "a_test.go": true, "README.md": true, ".git/HEAD": true,
		"sub/a.go": true, "cmd/x/main.go": false, "cmd/x/main_test.go": true, "cmd/x/x": true, "cmd/x/xy": false,
		"bin/tool": true, "cmd/a.txt": true, "cmd/m.txt": false,
	} {
		if got, by := d.excludes(name); got != want {
			t.Errorf("excludes(%q) = %t (by %q), want %t", name, got, by, want)
		}
	}
}

// .dockerignore keeps every file that "go build ./cmd/ecr-replication"
// reads (go.mod, go.sum, the Go files of the module's packages that the
// command imports, and the files they embed, as go list reports them) in the
// build context, and leaves out .git, the tests and built binaries.
func TestDockerignore(t *testing.T) {
	root := moduleRoot(t)
	text, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := parseDockerignore(string(text))
	if err != nil {
		t.Fatal(err)
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to list the packages with: %v", err)
	}
	b := dockerfileBuild(t)
	cmd := exec.Command(goCmd, "list", "-deps", "-json=Dir,ImportPath,Module,GoFiles,EmbedFiles", b.pkg)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", b.pkg, err)
	}
	needed := []string{"go.mod", "go.sum"}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			Dir, ImportPath     string
			Module              *struct{ Main bool }
			GoFiles, EmbedFiles []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || !p.Module.Main {
			continue // the standard library and the modules go mod download brings
		}
		rel, err := filepath.Rel(root, p.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range slices.Concat(p.GoFiles, p.EmbedFiles) {
			needed = append(needed, path.Join(filepath.ToSlash(rel), f))
		}
	}
	if !slices.Contains(needed, "cmd/ecr-replication/main.go") || !slices.Contains(needed, "cmd/ecr-replication/schema/output.schema.json") {
		t.Fatalf("go list did not report the command's own files: %q", needed)
	}
	// One message for each directory and pattern, with an example file.
	type left struct{ dir, by string }
	lost := map[left][]string{}
	var order []left
	for _, name := range needed {
		if excluded, by := d.excludes(name); excluded {
			k := left{path.Dir(name), by}
			if lost[k] == nil {
				order = append(order, k)
			}
			lost[k] = append(lost[k], name)
		}
	}
	for _, k := range order {
		t.Errorf(".dockerignore pattern %q leaves %d files of %s/ out of the build context, such as %s, but go build %s reads them",
			k.by, len(lost[k]), k.dir, lost[k][0], b.pkg)
	}
	for _, name := range []string{".git/HEAD", "README.md", "ecrreplication.test", "cmd/ecr-replication/ecr-replication", "ecr-replication", "dist/x", "cmd/ecr-replication/cli_test.go", "testdata/x", "examples/describe/main.go"} {
		if excluded, _ := d.excludes(name); !excluded {
			t.Errorf(".dockerignore keeps %s in the build context, which the build does not need", name)
		}
	}
}

// .goreleaser.yaml builds the same package with the same environment, flags
// and ldflags as the Dockerfile, the version being GoReleaser's.
func TestGoreleaserMatchesDockerfile(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(moduleRoot(t), ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The values of the build's keys, one list item per line.
	values := map[string][]string{}
	key := ""
	for _, line := range strings.Split(string(text), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "#") || trimmed == "":
		case strings.HasPrefix(trimmed, "- ") && key != "":
			values[key] = append(values[key], strings.TrimSpace(strings.TrimPrefix(trimmed, "- ")))
		case strings.HasSuffix(trimmed, ":"):
			key = strings.TrimSuffix(trimmed, ":")
		default:
			k, v, _ := strings.Cut(strings.TrimPrefix(trimmed, "- "), ":")
			values[strings.TrimSpace(k)] = append(values[strings.TrimSpace(k)], strings.TrimSpace(v))
			key = ""
		}
	}
	b := dockerfileBuild(t)
	ldflags := b.flags[slices.Index(b.flags, "-ldflags")+1]
	var flags []string
	for i := 0; i < len(b.flags); i++ {
		if b.flags[i] == "-ldflags" {
			i++
			continue
		}
		flags = append(flags, b.flags[i])
	}
	var env []string
	for _, e := range b.env {
		if !strings.HasPrefix(e, "GOOS=") && !strings.HasPrefix(e, "GOARCH=") {
			env = append(env, e)
		}
	}
	want := map[string][]string{
		"main":    {b.pkg},
		"env":     env,
		"flags":   flags,
		"ldflags": {strings.ReplaceAll(ldflags, staticTestVersion, "v{{.Version}}")},
	}
	for k, w := range want {
		if diff := cmp.Diff(w, values[k]); diff != "" {
			t.Errorf(".goreleaser.yaml's build %s differs from the Dockerfile's (-Dockerfile +.goreleaser.yaml):\n%s", k, diff)
		}
	}
}
