package ecrtest_test

import (
	"context"
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

func TestCallLog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer()
		defer srv.Close()
		digest := push(t, srv, "app", "v1")
		c := srv.Client(noRetry)
		ctx := context.Background()

		poll(t, c, byTag("app", "v1"))
		time.Sleep(5 * time.Second)
		poll(t, c, byDigest("app", digest))
		if _, err := c.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{}); err != nil {
			t.Fatal(err)
		}
		// An input the SDK rejects itself never reaches the server.
		if _, err := c.DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app")}); err == nil {
			t.Fatal("missing imageId: want a client-side error")
		}

		got := srv.Calls(opStatus)
		want := []ecrtest.Call{
			{Operation: opStatus, ReplicationInput: byTag("app", "v1")},
			{Operation: opStatus, ReplicationInput: byDigest("app", digest)},
		}
		opts := cmp.Options{
			cmpopts.IgnoreFields(ecrtest.Call{}, "Body", "RequestID", "Time"),
			cmpopts.IgnoreUnexported(ecr.DescribeImageReplicationStatusInput{}, types.ImageIdentifier{}),
		}
		if diff := cmp.Diff(want, got, opts); diff != "" {
			t.Errorf("Calls (-want +got):\n%s", diff)
		}
		if len(got) == 2 {
			if d := got[1].Time.Sub(got[0].Time); d != 5*time.Second {
				t.Errorf("calls %v apart, want 5s", d)
			}
			var body map[string]any
			if err := json.Unmarshal(got[0].Body, &body); err != nil || body["repositoryName"] != "app" {
				t.Errorf("Body = %s (%v)", got[0].Body, err)
			}
			if got[0].RequestID == got[1].RequestID {
				t.Errorf("request IDs not unique: %s", got[0].RequestID)
			}
		}
		if n := srv.CallCount(""); n != 3 {
			t.Errorf("CallCount(\"\") = %d, want 3", n)
		}
		if n := len(srv.Calls("")); n != 3 {
			t.Errorf("len(Calls(\"\")) = %d, want 3", n)
		}
		if n := srv.CallCount(ecrtest.OpDescribeRegistry); n != 1 {
			t.Errorf("CallCount(DescribeRegistry) = %d, want 1", n)
		}
	})
}
