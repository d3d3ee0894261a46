package ecrreplication_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Every Go snippet of README.md and docs/*.md is part of an Example function,
// so it compiles and runs with the tests and cannot rot. A snippet is marked
// by the comment on the line before its fence:
//
//	<!-- snippet: ExampleImageReplicationCompleteWaiter_Wait -->
//
// and must appear, line for line (leading tabs aside), in the body of that
// Example, in this package's tests; its import lines must be imports of the
// Example's file.
func TestDocSnippets(t *testing.T) {
	examples := exampleBodies(t)
	files, _ := filepath.Glob("docs/*.md")
	files = append([]string{"README.md"}, files...)
	marker := regexp.MustCompile(`^<!-- snippet: (Example\w*) -->$`)
	found := 0
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(text), "\n")
		for i := 0; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) != "```go" {
				continue
			}
			found++
			start := i + 1
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			}
			snippet := lines[start:i]
			var m []string
			if start >= 2 {
				m = marker.FindStringSubmatch(strings.TrimSpace(lines[start-2]))
			}
			if m == nil {
				t.Errorf("%s:%d: a Go snippet without <!-- snippet: ExampleName --> on the line before it", file, start-1)
				continue
			}
			ex, ok := examples[m[1]]
			if !ok {
				t.Errorf("%s:%d: %s is no Example function of this package's tests", file, start-1, m[1])
				continue
			}
			code, imports := splitImports(snippet)
			for _, path := range imports {
				if !ex.imports[path] {
					t.Errorf("%s:%d: the snippet imports %s, which %s's file does not", file, start-1, path, m[1])
				}
			}
			if !strings.Contains(ex.body, normalize(code)) {
				t.Errorf("%s:%d: the snippet is not in the body of %s; keep them the same:\n%s", file, start-1, m[1], normalize(code))
			}
		}
	}
	if found == 0 {
		t.Error("no Go snippet found: the README's first screen has one")
	}
}

// example is an Example function's body, normalized, and its file's imports.
type example struct {
	body    string
	imports map[string]bool
}

// exampleBodies reads the Example functions of this package's tests.
func exampleBodies(t *testing.T) map[string]example {
	t.Helper()
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*_test.go")
	out := map[string]example{}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		imports := map[string]bool{}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			imports[path] = true
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || !strings.HasPrefix(fn.Name.Name, "Example") || fn.Body == nil {
				continue
			}
			body := string(src[fset.Position(fn.Body.Lbrace).Offset+1 : fset.Position(fn.Body.Rbrace).Offset])
			out[fn.Name.Name] = example{body: normalize(strings.Split(body, "\n")), imports: imports}
		}
	}
	return out
}

// splitImports separates a snippet's import lines (import "p", or an import
// block) from its code.
func splitImports(lines []string) (code, imports []string) {
	inBlock := false
	for _, l := range lines {
		s := strings.TrimSpace(l)
		switch {
		case s == "import (":
			inBlock = true
		case inBlock && s == ")":
			inBlock = false
		case inBlock || strings.HasPrefix(s, "import "):
			f := strings.Fields(strings.TrimPrefix(s, "import "))
			if len(f) > 0 {
				if path, err := strconv.Unquote(f[len(f)-1]); err == nil {
					imports = append(imports, path)
				}
			}
		default:
			code = append(code, l)
		}
	}
	return code, imports
}

// normalize joins lines without their leading tabs and spaces, blank lines
// left out.
func normalize(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
