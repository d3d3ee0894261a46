package ecrreplication_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies asserts that the library depends only on the AWS SDK,
// smithy-go, golang.org/x/time and the OpenTelemetry metric API: never on
// an OpenTelemetry SDK or exporter, which are the application's choice.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	allowed := []string{
		"github.com/ecrkit/ecrreplication",
		"github.com/aws/aws-sdk-go-v2/",
		"github.com/aws/smithy-go",
		"golang.org/x/time/rate",
		"go.opentelemetry.io/otel/metric",
		"go.opentelemetry.io/otel/attribute",
		"github.com/cespare/xxhash/v2", // of the attribute package
	}
	for _, pkg := range strings.Fields(string(out)) {
		ok := false
		for _, a := range allowed {
			ok = ok || pkg == a || strings.HasPrefix(pkg, a)
		}
		if !ok {
			t.Errorf("the library depends on %s", pkg)
		}
	}
}
