package ecrtest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

const acct = ecrtest.DefaultAccountID

func TestDefaultPlan(t *testing.T) {
	modes(t, func(t *testing.T, newServer func(...func(*ecrtest.Options)) *ecrtest.Server) {
		srv := newServer()
		defer srv.Close()
		replicateTo(t, srv, "us-west-2", "eu-west-1")
		digest := push(t, srv, "app", "v1")
		c := srv.Client(noRetry)

		out, err := c.DescribeImageReplicationStatus(context.Background(), byTag("app", "v1"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := aws.ToString(out.ImageId.ImageDigest), digest; got != want {
			t.Errorf("imageDigest = %q, want %q", got, want)
		}
		if got := aws.ToString(out.ImageId.ImageTag); got != "v1" {
			t.Errorf("imageTag = %q, want v1", got)
		}
		if got := aws.ToString(out.RepositoryName); got != "app" {
			t.Errorf("repositoryName = %q", got)
		}
		want := []status{{"us-west-2", acct, "IN_PROGRESS", ""}, {"eu-west-1", acct, "IN_PROGRESS", ""}}
		if diff := cmp.Diff(want, statuses(out)); diff != "" {
			t.Errorf("first poll (-want +got):\n%s", diff)
		}
		want = []status{{"us-west-2", acct, "COMPLETE", ""}, {"eu-west-1", acct, "COMPLETE", ""}}
		if diff := cmp.Diff(want, poll(t, c, byDigest("app", digest))); diff != "" {
			t.Errorf("second poll (-want +got):\n%s", diff)
		}
		if got := srv.PollCount("app", digest); got != 2 {
			t.Errorf("PollCount = %d, want 2", got)
		}
	})
}

func TestDefaultPlanOption(t *testing.T) {
	srv := ecrtest.NewInMemoryServer(func(o *ecrtest.Options) {
		o.DefaultPlan = ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "ACCESS_DENIED"}
	})
	defer srv.Close()
	replicateTo(t, srv, "us-west-2")
	push(t, srv, "app", "v1")
	want := []status{{"us-west-2", acct, "FAILED", "ACCESS_DENIED"}}
	if diff := cmp.Diff(want, poll(t, srv.Client(noRetry), byTag("app", "v1"))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestScriptedPlans(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	replicateTo(t, srv, "us-west-2", "eu-west-1", "ap-south-1", "sa-east-1")
	push(t, srv, "app", "v1",
		ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{AfterPolls: 3}},
		ecrtest.DestinationPlan{Region: "eu-west-1", RegistryID: acct, Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed, AfterPolls: 2}},
		ecrtest.DestinationPlan{Region: "ap-south-1", Plan: ecrtest.Plan{HiddenPolls: 1}},
		ecrtest.DestinationPlan{Region: "sa-east-1", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}},
	)
	c := srv.Client(noRetry)
	steps := [][]status{
		{{"us-west-2", acct, "IN_PROGRESS", ""}, {"eu-west-1", acct, "IN_PROGRESS", ""}, {"sa-east-1", acct, "IN_PROGRESS", ""}},
		{{"us-west-2", acct, "IN_PROGRESS", ""}, {"eu-west-1", acct, "FAILED", ecrtest.DefaultFailureCode}, {"ap-south-1", acct, "COMPLETE", ""}, {"sa-east-1", acct, "IN_PROGRESS", ""}},
		{{"us-west-2", acct, "COMPLETE", ""}, {"eu-west-1", acct, "FAILED", ecrtest.DefaultFailureCode}, {"ap-south-1", acct, "COMPLETE", ""}, {"sa-east-1", acct, "IN_PROGRESS", ""}},
	}
	for i, want := range steps {
		if diff := cmp.Diff(want, poll(t, c, byTag("app", "v1"))); diff != "" {
			t.Errorf("poll %d (-want +got):\n%s", i+1, diff)
		}
	}
}

func TestPlanAfterDuration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer()
		defer srv.Close()
		replicateTo(t, srv, "us-west-2")
		push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-west-2",
			Plan: ecrtest.Plan{After: 30 * time.Second, AfterPolls: 100}})
		c := srv.Client(noRetry)
		start := time.Now()
		for i := 0; ; i++ {
			got := poll(t, c, byTag("app", "v1"))
			if got[0].Status == "COMPLETE" {
				break
			}
			if i > 10 {
				t.Fatal("never completed")
			}
			time.Sleep(10 * time.Second)
		}
		if got := time.Since(start); got != 30*time.Second {
			t.Errorf("completed after %v, want 30s of virtual time", got)
		}
	})
}

func TestRepositoryFilters(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	prefix := func(p string) []types.RepositoryFilter {
		return []types.RepositoryFilter{{Filter: aws.String(p), FilterType: types.RepositoryFilterTypePrefixMatch}}
	}
	err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{
		{Destinations: []types.ReplicationDestination{dest("us-west-2", acct)}, RepositoryFilters: prefix("prod")},
		{Destinations: []types.ReplicationDestination{dest("eu-west-1", acct), dest("us-west-2", acct)}, RepositoryFilters: prefix("prod-api")},
		{Destinations: []types.ReplicationDestination{dest("eu-west-1", "210987654321")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client(noRetry)
	tests := []struct {
		repo string
		want []status
	}{
		{"prod-api", []status{{"us-west-2", acct, "COMPLETE", ""}, {"eu-west-1", acct, "COMPLETE", ""}, {"eu-west-1", "210987654321", "COMPLETE", ""}}},
		{"prod-web", []status{{"us-west-2", acct, "COMPLETE", ""}, {"eu-west-1", "210987654321", "COMPLETE", ""}}},
		{"dev/app", []status{{"eu-west-1", "210987654321", "COMPLETE", ""}}},
	}
	for _, tt := range tests {
		var plans []ecrtest.DestinationPlan
		for _, w := range tt.want {
			plans = append(plans, ecrtest.DestinationPlan{Region: w.Region, RegistryID: w.RegistryID})
		}
		push(t, srv, tt.repo, "v1", plans...)
		if diff := cmp.Diff(tt.want, poll(t, c, byTag(tt.repo, "v1"))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.repo, diff)
		}
	}
}

func TestNoReplicationConfiguration(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	push(t, srv, "app", "v1")
	if diff := cmp.Diff([]status{}, poll(t, srv.Client(noRetry), byTag("app", "v1"))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPushImagePlanForUnmatchedDestination(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	replicateTo(t, srv, "us-west-2")
	if _, err := srv.PushImage("app", "v1", ecrtest.DestinationPlan{Region: "eu-west-1"}); err == nil {
		t.Error("PushImage with a plan for an unconfigured destination: want error")
	}
	if _, err := srv.PushImage("app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: "DONE"}}); err == nil {
		t.Error("PushImage with an invalid outcome: want error")
	}
	var ipe *types.InvalidParameterException
	if _, err := srv.PushImage("App", "v1"); !errors.As(err, &ipe) {
		t.Errorf("PushImage(App) = %v, want InvalidParameterException", err)
	}
}

func TestTagMoves(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	replicateTo(t, srv, "us-west-2")
	d1 := push(t, srv, "app", "latest")
	d2 := push(t, srv, "app", "latest")
	if d1 == d2 {
		t.Fatalf("two pushes gave the same digest %s", d1)
	}
	c := srv.Client(noRetry)
	get := func() string {
		out, err := c.DescribeImageReplicationStatus(context.Background(), byTag("app", "latest"))
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ImageId.ImageDigest)
	}
	if got := get(); got != d2 {
		t.Errorf("latest -> %s, want the second push %s", got, d2)
	}
	if err := srv.TagImage("app", "latest", d1); err != nil {
		t.Fatal(err)
	}
	if got := get(); got != d1 {
		t.Errorf("after TagImage latest -> %s, want %s", got, d1)
	}
	var inf *types.ImageNotFoundException
	if err := srv.TagImage("app", "x", "sha256:0000"); !errors.As(err, &inf) {
		t.Errorf("TagImage unknown digest = %v, want ImageNotFoundException", err)
	}
	var rnf *types.RepositoryNotFoundException
	if err := srv.TagImage("nope", "x", d1); !errors.As(err, &rnf) {
		t.Errorf("TagImage unknown repository = %v, want RepositoryNotFoundException", err)
	}
	// Both tag and digest given: they must name the same image.
	_, err := c.DescribeImageReplicationStatus(context.Background(), &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("app"),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String("latest"), ImageDigest: aws.String(d2)},
	})
	if !errors.As(err, &inf) {
		t.Errorf("mismatched tag and digest = %v, want ImageNotFoundException", err)
	}
}

func TestOtherRegistries(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	const other = "210987654321"
	if err := srv.CreateRepositoryIn(other, "shared"); err != nil {
		t.Fatal(err)
	}
	d, err := srv.PushImageIn(other, "shared", "v1")
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client(noRetry)
	in := byTag("shared", "v1")
	in.RegistryId = aws.String(other)
	out, err := c.DescribeImageReplicationStatus(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.ImageId.ImageDigest); got != d {
		t.Errorf("digest = %s, want %s", got, d)
	}
	// The same repository is not in the default registry.
	var rnf *types.RepositoryNotFoundException
	if _, err := c.DescribeImageReplicationStatus(context.Background(), byTag("shared", "v1")); !errors.As(err, &rnf) {
		t.Errorf("default registry: %v, want RepositoryNotFoundException", err)
	}
	// An unknown account.
	in.RegistryId = aws.String("999999999999")
	_, err = c.DescribeImageReplicationStatus(context.Background(), in)
	if !errors.As(err, &rnf) {
		t.Fatalf("unknown registry: %v, want RepositoryNotFoundException", err)
	}
	want := "The repository with name 'shared' does not exist in the registry with id '999999999999'"
	if got := aws.ToString(rnf.Message); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestWireOperations(t *testing.T) {
	modes(t, func(t *testing.T, newServer func(...func(*ecrtest.Options)) *ecrtest.Server) {
		srv := newServer()
		defer srv.Close()
		c := srv.Client(noRetry)
		ctx := context.Background()

		_, err := c.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{
			ReplicationConfiguration: &types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
				Destinations:      []types.ReplicationDestination{dest("us-west-2", acct)},
				RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String("app"), FilterType: types.RepositoryFilterTypePrefixMatch}},
			}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		reg, err := c.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(reg.RegistryId); got != acct {
			t.Errorf("registryId = %s", got)
		}
		if n := len(reg.ReplicationConfiguration.Rules); n != 1 {
			t.Fatalf("rules = %d, want 1", n)
		}
		r := reg.ReplicationConfiguration.Rules[0]
		if got := aws.ToString(r.Destinations[0].Region) + " " + aws.ToString(r.RepositoryFilters[0].Filter) + " " + string(r.RepositoryFilters[0].FilterType); got != "us-west-2 app PREFIX_MATCH" {
			t.Errorf("rule = %s", got)
		}

		cr, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := aws.ToString(cr.Repository.RepositoryUri), acct+".dkr.ecr.us-east-1.amazonaws.com/app"; got != want {
			t.Errorf("repositoryUri = %s, want %s", got, want)
		}
		var exists *types.RepositoryAlreadyExistsException
		if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")}); !errors.As(err, &exists) {
			t.Errorf("second CreateRepository = %v, want RepositoryAlreadyExistsException", err)
		}

		manifest := `{"schemaVersion":2}`
		pi, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(manifest), ImageTag: aws.String("v1")})
		if err != nil {
			t.Fatal(err)
		}
		digest := aws.ToString(pi.Image.ImageId.ImageDigest)
		if digest != sha256Digest(manifest) {
			t.Errorf("PutImage digest = %s, want %s", digest, sha256Digest(manifest))
		}
		var already *types.ImageAlreadyExistsException
		if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(manifest), ImageTag: aws.String("v1")}); !errors.As(err, &already) {
			t.Errorf("PutImage again = %v, want ImageAlreadyExistsException", err)
		}
		// Same manifest, new tag: adds the tag.
		if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(manifest), ImageTag: aws.String("stable")}); err != nil {
			t.Fatal(err)
		}
		// Explicit digest.
		if out, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String("{}"), ImageDigest: aws.String("sha256:abc")}); err != nil || aws.ToString(out.Image.ImageId.ImageDigest) != "sha256:abc" {
			t.Errorf("PutImage with imageDigest = %v, %v", out, err)
		}

		want := []status{{"us-west-2", acct, "IN_PROGRESS", ""}}
		if diff := cmp.Diff(want, poll(t, c, byTag("app", "stable"))); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}

		bg, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("app"),
			ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v1")}, {ImageTag: aws.String("nope")}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(bg.Images) != 1 || aws.ToString(bg.Images[0].ImageManifest) != manifest || aws.ToString(bg.Images[0].ImageId.ImageDigest) != digest {
			t.Errorf("BatchGetImage images = %+v", bg.Images)
		}
		if len(bg.Failures) != 1 || bg.Failures[0].FailureCode != types.ImageFailureCodeImageNotFound {
			t.Errorf("BatchGetImage failures = %+v", bg.Failures)
		}

		di, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app"),
			ImageIds: []types.ImageIdentifier{{ImageDigest: aws.String(digest)}}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"stable", "v1"}, di.ImageDetails[0].ImageTags); diff != "" {
			t.Errorf("DescribeImages tags (-want +got):\n%s", diff)
		}
		all, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app")})
		if err != nil || len(all.ImageDetails) != 2 {
			t.Errorf("DescribeImages all = %v, %v", all, err)
		}
		var inf *types.ImageNotFoundException
		if _, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app"),
			ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("nope")}}}); !errors.As(err, &inf) {
			t.Errorf("DescribeImages unknown = %v, want ImageNotFoundException", err)
		}
	})
}
