package ecrtest_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// TestAWSCLI checks ecrtest with a client nobody here wrote:
// the AWS CLI, when it is installed, must read ecrtest's answers as it reads
// ECR's. It skips when the aws command is absent.
func TestAWSCLI(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the aws command is not installed")
	}
	if testing.Short() {
		t.Skip("starts the AWS CLI")
	}
	srv := ecrtest.NewServer(requireAuth)
	defer srv.Close()
	replicateTo(t, srv, "us-west-2")
	push(t, srv, "app", "v1")
	home := t.TempDir()

	run := func(secret string, args ...string) (string, string, error) {
		cmd := exec.Command(aws, append([]string{"--endpoint-url", srv.URL, "--region", srv.Region(), "--output", "json",
			"ecr", "describe-image-replication-status", "--repository-name"}, args...)...)
		cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"),
			"AWS_ACCESS_KEY_ID=" + ecrtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + secret,
			"AWS_CONFIG_FILE=" + home + "/config", "AWS_SHARED_CREDENTIALS_FILE=" + home + "/credentials",
			"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard"}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}

	out, stderr, err := run(ecrtest.SecretAccessKey, "app", "--image-id", "imageTag=v1")
	if err != nil {
		t.Fatalf("aws: %v\n%s", err, stderr)
	}
	var doc struct {
		ReplicationStatuses []struct{ Region, Status string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.ReplicationStatuses) != 1 || doc.ReplicationStatuses[0].Region != "us-west-2" {
		t.Errorf("output %q (%v), want one status for us-west-2", out, err)
	}

	for _, tt := range []struct {
		name, secret  string
		args          []string
		code, message string
	}{
		{"malformed tag", ecrtest.SecretAccessKey, []string{"app", "--image-id", "imageTag=bad!tag"}, "InvalidParameterException",
			"Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_.]+''"},
		{"repository not found", ecrtest.SecretAccessKey, []string{"nope", "--image-id", "imageTag=v1"}, "RepositoryNotFoundException",
			"The repository with name 'nope' does not exist in the registry with id '123456789012'"},
		{"wrong secret", "wrong", []string{"app", "--image-id", "imageTag=v1"}, "InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := run(tt.secret, tt.args...)
			if err == nil {
				t.Fatal("aws succeeded, want an error")
			}
			// "An error occurred (CODE) when calling the OPERATION operation[ (reached max retries: N)]: MESSAGE"
			if want := "An error occurred (" + tt.code + ") when calling the DescribeImageReplicationStatus operation"; !strings.Contains(stderr, want) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", stderr, want)
			}
			if !strings.Contains(stderr, ": "+tt.message) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", stderr, tt.message)
			}
		})
	}
}
