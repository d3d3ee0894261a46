package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunSimulator(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), nil, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	for _, want := range []string{
		"app:v1: found",
		"app:v2: image not found\n  *types.ImageNotFoundException: The image with imageId",
		"no-such-repo:v1: repository not found\n  *types.RepositoryNotFoundException: The repository with name 'no-such-repo' does not exist",
		"client.DescribeImages app:v2: errors.Is(err, ErrImageNotFound) = true\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
}
