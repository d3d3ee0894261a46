package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ecrkit/ecrreplication"
)

func TestRunSimulator(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-repository", "team/api", "-tag", "v2"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	for _, want := range []string{
		"team/api:v2@sha256:",
		"  ap-southeast-2 123456789012 FAILED: REPLICATION_FAILED\n",
		"  eu-west-1 210987654321 IN_PROGRESS\n",
		"  us-west-2 123456789012 COMPLETE\n",
		"complete=false pending=1 failed=1\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
}

func TestRunInvalidDigest(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), []string{"-digest", "sha256:abc"}, &out)
	if !errors.Is(err, ecrreplication.ErrValidation) {
		t.Fatalf("run = %v, want ErrValidation", err)
	}
}
