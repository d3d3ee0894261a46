package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr bool
		want    []string
	}{{
		name: "demo",
		want: []string{
			"config: repository=\"team/app\" registry-id=\"123456789012\" tag=\"v1.2.3\" digest=\"\"\n  valid\n",
			"  -repository/ECR_REPOSITORY: repositoryName \"Team/App\" must be lower case",
			"  -registry-id/ECR_REGISTRY_ID: registryId \"12345\" must be exactly 12 digits",
			"  -digest/ECR_IMAGE_DIGEST: imageId.imageDigest \"sha256:abc\" must have exactly 64 lowercase hex characters",
		},
	}, {
		name: "valid from env and flags",
		args: []string{"-tag", "v1.2.3"},
		env:  map[string]string{"ECR_REPOSITORY": "team/app", "ECR_REGISTRY_ID": "123456789012"},
		want: []string{"  valid\n"},
	}, {
		name:    "invalid",
		args:    []string{"-repository", "x"},
		env:     map[string]string{"ECR_IMAGE_DIGEST": "md5:"},
		wantErr: true,
		want: []string{
			"  -repository/ECR_REPOSITORY: repositoryName \"x\" must be 2 to 256 characters long, got 1\n",
			"  -digest/ECR_IMAGE_DIGEST: imageId.imageDigest \"md5:\" must be algorithm:encoded",
		},
	}, {
		name:    "no image",
		env:     map[string]string{"ECR_REPOSITORY": "team/app"},
		wantErr: true,
		want:    []string{"  -tag/ECR_IMAGE_TAG or -digest/ECR_IMAGE_DIGEST: imageId \"\" must carry imageTag or imageDigest\n"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(t.Context(), tt.args, func(k string) string { return tt.env[k] }, &out)
			if (err != nil) != tt.wantErr {
				t.Fatalf("run = %v, want error: %t\n%s", err, tt.wantErr, &out)
			}
			for _, want := range tt.want {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, &out)
				}
			}
		})
	}
}
