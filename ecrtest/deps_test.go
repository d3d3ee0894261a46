package ecrtest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies asserts that the package depends only on the standard
// library and the AWS SDK modules.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	allowed := []string{
		"github.com/ecrkit/ecrreplication/ecrtest",
		"github.com/aws/aws-sdk-go-v2/",
		"github.com/aws/smithy-go",
	}
	for _, pkg := range strings.Fields(string(out)) {
		ok := false
		for _, a := range allowed {
			if pkg == a || strings.HasPrefix(pkg, a) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("ecrtest depends on %s", pkg)
		}
	}
}
