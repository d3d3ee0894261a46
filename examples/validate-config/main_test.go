package main

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
		want    string
	}{{
		name: "demo",
		want: `demo: no settings given; checking a good and a bad configuration
config: repository="team/app" registry-id="123456789012" tag="v1.2.3" digest=""
  valid
config: repository="Team/App" registry-id="12345" tag="" digest="sha256:abc"
  -repository/ECR_REPOSITORY: repositoryName "Team/App" must be lower case: components of lower-case letters and digits, separated by single '.', '_' or '-', joined by '/' (pattern (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)
  -registry-id/ECR_REGISTRY_ID: registryId "12345" must be exactly 12 digits (an AWS account ID), got 5 characters
  -digest/ECR_IMAGE_DIGEST: imageId.imageDigest "sha256:abc" must have exactly 64 lowercase hex characters after "sha256:"
`,
	}, {
		name: "valid from env and flags",
		args: []string{"-tag", "v1.2.3"},
		env:  map[string]string{"ECR_REPOSITORY": "team/app", "ECR_REGISTRY_ID": "123456789012"},
		want: "config: repository=\"team/app\" registry-id=\"123456789012\" tag=\"v1.2.3\" digest=\"\"\n  valid\n",
	}, {
		name:    "flag over env",
		args:    []string{"-repository", "x"},
		env:     map[string]string{"ECR_REPOSITORY": "team/app", "ECR_IMAGE_DIGEST": "md5:"},
		wantErr: "invalid configuration: 2 problem(s)",
		want: `config: repository="x" registry-id="" tag="" digest="md5:"
  -repository/ECR_REPOSITORY: repositoryName "x" must be 2 to 256 characters long, got 1
  -digest/ECR_IMAGE_DIGEST: imageId.imageDigest "md5:" must be algorithm:encoded per the OCI digest grammar, such as sha256: followed by 64 lowercase hex characters
`,
	}, {
		name:    "no image",
		env:     map[string]string{"ECR_REPOSITORY": "team/app"},
		wantErr: "invalid configuration: 1 problem(s)",
		want: `config: repository="team/app" registry-id="" tag="" digest=""
  -tag/ECR_IMAGE_TAG or -digest/ECR_IMAGE_DIGEST: imageId "" must carry imageTag or imageDigest
`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(t.Context(), tt.args, func(k string) string { return tt.env[k] }, &out)
			if got := errorText(err); got != tt.wantErr {
				t.Errorf("run = %q, want %q", got, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
