package main

import (
	"strings"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

// Image references as pipelines have them: each is waited for with the
// request it names, and a URI's account is the registry and its region
// the requests' (signing and endpoint), over AWS_REGION. The server
// requires SigV4 in its region, us-east-1; the environment says eu-west-1.
func TestImageReferences(t *testing.T) {
	const account = ecrtest.DefaultAccountID
	for _, tc := range []struct {
		ref                      string
		registry, tag, digest    string // sent; digest "D" is the image's
		region                   bool   // the reference names the region
		registryFlag, regionFlag string
	}{
		{ref: "app:v1", tag: "v1", regionFlag: "us-east-1"},
		{ref: "app@D", digest: "D", regionFlag: "us-east-1"},
		{ref: "app:v1@D", tag: "v1", digest: "D", regionFlag: "us-east-1"},
		{ref: "app:v1", registry: account, tag: "v1", registryFlag: account, regionFlag: "us-east-1"},
		{ref: account + ".dkr.ecr.us-east-1.amazonaws.com/app:v1", registry: account, tag: "v1", region: true},
		{ref: account + ".dkr.ecr.us-east-1.amazonaws.com/app:v1", registry: account, tag: "v1", region: true, registryFlag: account, regionFlag: "us-east-1"},
		{ref: account + ".dkr.ecr-fips.us-east-1.amazonaws.com/app@D", registry: account, digest: "D", region: true},
		{ref: account + ".dkr.ecr.us-east-1.amazonaws.com.cn/app:v1", registry: account, tag: "v1", region: true},
		{ref: account + ".dkr-ecr.us-east-1.on.aws/app:v1@D", registry: account, tag: "v1", digest: "D", region: true},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			t.Setenv("AWS_REGION", "eu-west-1")
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true, func(o *ecrtest.Options) { o.RequireAuth = true })
				digest := push(t, srv, "app", "v1")
				args := []string{"--endpoint-url", testEndpoint, "wait", "--image", strings.ReplaceAll(tc.ref, "@D", "@"+digest), "--output", "json", "--quiet"}
				if tc.registryFlag != "" {
					args = append(args, "--registry-id", tc.registryFlag)
				}
				if tc.regionFlag != "" {
					args = append(args, "--region", tc.regionFlag)
				}
				got := runWith(t.Context(), append(args, fixedDelays...), func(e *environment) {
					e.httpClient = srv.HTTPClient()
					e.configOptions = []func(*config.LoadOptions) error{config.WithCredentialsProvider(ecrtest.Credentials())}
				})
				if got.code != exitOK {
					t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
				}
				want := []string{tc.registry, tc.tag, strings.ReplaceAll(tc.digest, "D", digest)}
				for _, c := range srv.Calls(ecrtest.OpDescribeImageReplicationStatus)[:1] {
					in := c.ReplicationInput
					sent := []string{aws.ToString(in.RegistryId), aws.ToString(in.ImageId.ImageTag), aws.ToString(in.ImageId.ImageDigest)}
					if diff := cmp.Diff(want, sent); diff != "" || aws.ToString(in.RepositoryName) != "app" {
						t.Errorf("first request for %s: repository %q, (-want +got) registry, tag, digest:\n%s", tc.ref, aws.ToString(in.RepositoryName), diff)
					}
				}
				img := imageOf(t, got.stdout)
				if img["registryId"] != tc.registry || img["repository"] != "app" {
					t.Errorf("the document names %v in %q, want app in %q", img["repository"], img["registryId"], tc.registry)
				}
			})
		})
	}
}

// Every reference that is not one, every contradiction between URIs and
// flags, and a --repository with a registry host (of wait or status) exits
// 2 naming the value and the accepted forms; nothing is sent.
func TestImageReferencesRefused(t *testing.T) {
	const forms = "use REPO:TAG, REPO@sha256:DIGEST, REPO:TAG@sha256:DIGEST, or a full URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/REPO:TAG"
	uri := func(account, region, rest string) string {
		return account + ".dkr.ecr." + region + ".amazonaws.com/" + rest
	}
	east, west := uri("123456789012", "us-east-1", "app:v1"), uri("123456789012", "eu-west-1", "web:v1")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--image", "team/api"}, `image "team/api" (--image) names no tag or digest: ` + forms},
		{[]string{"--image", ":v1"}, `image ":v1" (--image) names no repository: ` + forms},
		{[]string{"--image", "app:v1 web:v1"}, `image "app:v1 web:v1" (--image) contains white space or a control character: ` + forms + ", one image per value"},
		{[]string{"--image", "ghcr.io/team/api:v1"}, `image "ghcr.io/team/api:v1" (--image) names the registry "ghcr.io", which is not an Amazon ECR private registry: DescribeImageReplicationStatus needs ACCOUNT.dkr.ecr.REGION.amazonaws.com (or .amazonaws.com.cn, dkr.ecr-fips, dkr-ecr.REGION.on.aws), or REPO:TAG alone`},
		{[]string{"--image", "docker.io/library/nginx:1"}, `image "docker.io/library/nginx:1" (--image) names the registry "docker.io", which is not an Amazon ECR private registry`},
		{[]string{"--image", "public.ecr.aws/team/api:v1"}, `image "public.ecr.aws/team/api:v1" (--image) names Amazon ECR Public ("public.ecr.aws"), which has no replication`},
		{[]string{"--image", "registry.local:5000/api:v1"}, `image "registry.local:5000/api:v1" (--image) names the registry "registry.local:5000" with a port, which is not an Amazon ECR private registry: ` + forms},
		{[]string{"--image", "12345.dkr.ecr.us-east-1.amazonaws.com/api:v1"}, `image "12345.dkr.ecr.us-east-1.amazonaws.com/api:v1" (--image) names the registry "12345.dkr.ecr.us-east-1.amazonaws.com", whose account "12345" is not a 12-digit AWS account ID`},
		{[]string{"--image", "Team/api:v1"}, `image "Team/api:v1" (--image): repository name "Team/api" must be lower case: `},
		{[]string{"--image", "api@sha256:abc"}, `image "api@sha256:abc" (--image): image digest "sha256:abc" must have exactly 64 lowercase hex characters after "sha256:"`},
		{[]string{"--image", "api:"}, `image "api:" (--image): image tag "" must be 1 to 300 characters long, got 0`},
		{[]string{"--image", east, "--region", "eu-west-1"}, `image "` + east + `" (--image) is in us-east-1, but --region is eu-west-1`},
		{[]string{"--image", east, "--registry-id", "210987654321"}, `image "` + east + `" (--image) is in account 123456789012, but --registry-id is "210987654321"`},
		{[]string{"--image", east, "--image", "db:v1", "--image", west}, "images of two regions, us-east-1 (--image) and eu-west-1 (--image): wait for each region's images in a command of its own"},
		{[]string{"--image", east, "--image", uri("210987654321", "us-east-1", "web:v1")}, "images of two accounts, 123456789012 (--image) and 210987654321 (--image): wait for each account's images in a command of its own"},
		{[]string{"--images-from", "-"}, `image "` + west + `" (stdin:2) is in eu-west-1, but --region is us-east-1`},
		{[]string{"--repository", strings.TrimSuffix(east, ":v1"), "--tag", "v1"}, `--repository "` + strings.TrimSuffix(east, ":v1") + `" names the registry "123456789012.dkr.ecr.us-east-1.amazonaws.com": --repository takes a repository name such as team/api; use --image for an image reference`},
		{[]string{"status", "--repository", "registry.local:5000/api", "--tag", "v1"}, `--repository "registry.local:5000/api" names the registry "registry.local:5000": --repository takes a repository name such as team/api; use --image`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			srv := ecrtest.NewInMemoryServer()
			defer srv.Close()
			args := append([]string{"--endpoint-url", testEndpoint, "wait"}, tc.args...)
			if tc.args[0] == "status" {
				args = append([]string{"--endpoint-url", testEndpoint}, tc.args...)
			}
			if tc.args[0] == "--images-from" {
				args = append(args, "--region", "us-east-1")
			}
			got := runVia(t.Context(), srv.HTTPClient(), args, func(e *environment) { e.stdin = strings.NewReader("app:v1\n" + west + "\n") })
			if got.code != exitUsage {
				t.Errorf("exit code %d, want 2; stderr:\n%s", got.code, got.stderr)
			}
			if want := "ecr-replication: error: " + tc.want; !strings.HasPrefix(got.stderr, want) {
				t.Errorf("stderr does not begin with %q:\n%s", want, got.stderr)
			}
			if n := srv.CallCount(""); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
	// The library's own words, which the messages above build on.
	if _, err := ecrreplication.ParseImageReference("team/api"); err == nil || !strings.Contains(err.Error(), forms) {
		t.Errorf("ParseImageReference(team/api) = %v, want the accepted forms", err)
	}
}
