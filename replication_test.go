package ecrreplication_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
)

func TestDescribe(t *testing.T) {
	var gotTarget string
	var gotBody map[string]any
	_, client := newWireServer(t, func(w http.ResponseWriter, r *http.Request) {
		gotTarget = r.Header.Get("X-Amz-Target")
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &gotBody)
		writeJSON(w, map[string]any{
			"repositoryName": "team/service-api",
			"imageId":        map[string]string{"imageTag": "v1.2.3", "imageDigest": validDigest},
			"replicationStatuses": []map[string]string{
				{"region": "us-west-2", "registryId": "123456789012", "status": "COMPLETE"},
				{"region": "eu-west-1", "registryId": "210987654321", "status": "FAILED", "failureCode": "ACCESS_DENIED"},
				{"region": "eu-west-1", "registryId": "123456789012", "status": "IN_PROGRESS"},
				{"region": "ap-south-1", "registryId": "123456789012", "status": "PAUSED"},
			},
		})
	})
	in := validInput()
	in.ImageId.ImageDigest = nil
	report, err := ecrreplication.Describe(context.Background(), client, in)
	if err != nil {
		t.Fatal(err)
	}
	if want := "AmazonEC2ContainerRegistry_V20150921.DescribeImageReplicationStatus"; gotTarget != want {
		t.Errorf("X-Amz-Target = %q, want %q", gotTarget, want)
	}
	wantBody := map[string]any{
		"repositoryName": "team/service-api",
		"registryId":     "123456789012",
		"imageId":        map[string]any{"imageTag": "v1.2.3"},
	}
	if diff := cmp.Diff(wantBody, gotBody); diff != "" {
		t.Errorf("request body (-want +got):\n%s", diff)
	}
	want := &ecrreplication.Report{
		RegistryID:  "123456789012",
		Repository:  "team/service-api",
		ImageDigest: validDigest,
		ImageTag:    "v1.2.3",
		Destinations: []ecrreplication.Destination{
			{Region: "ap-south-1", RegistryID: "123456789012", Status: "PAUSED"},
			{Region: "eu-west-1", RegistryID: "123456789012", Status: types.ReplicationStatusInProgress},
			{Region: "eu-west-1", RegistryID: "210987654321", Status: types.ReplicationStatusFailed, FailureCode: "ACCESS_DENIED"},
			{Region: "us-west-2", RegistryID: "123456789012", Status: types.ReplicationStatusComplete},
		},
	}
	if diff := cmp.Diff(want, report, ignoreProgress); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if report.Attempts != 1 || report.Answers != 1 {
		t.Errorf("report counts %d attempts and %d answers, want 1 and 1", report.Attempts, report.Answers)
	}
	if report.Complete() {
		t.Error("Complete() = true, want false")
	}
	if diff := cmp.Diff(want.Destinations[2:3], report.Failed()); diff != "" {
		t.Errorf("Failed() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Destinations[0:2], report.Pending()); diff != "" {
		t.Errorf("Pending() (-want +got):\n%s", diff)
	}
}

func TestDescribeInvalidInputSendsNothing(t *testing.T) {
	ws, client := newWireServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, map[string]any{}) })
	in := validInput()
	in.ImageId = &types.ImageIdentifier{}
	_, err := ecrreplication.Describe(context.Background(), client, in)
	var ve *ecrreplication.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	if _, err := ecrreplication.Describe(context.Background(), client, nil); !errors.Is(err, ecrreplication.ErrValidation) {
		t.Errorf("Describe(nil) = %v, want ErrValidation", err)
	}
	if n := ws.calls.Load(); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

func TestReportStates(t *testing.T) {
	d := func(s types.ReplicationStatus) ecrreplication.Destination {
		return ecrreplication.Destination{Region: "r", Status: s}
	}
	tests := []struct {
		name            string
		report          *ecrreplication.Report
		complete        bool
		failed, pending int
	}{
		{"nil", nil, false, 0, 0},
		{"empty is not complete", &ecrreplication.Report{}, false, 0, 0},
		{"all complete", &ecrreplication.Report{Destinations: []ecrreplication.Destination{d("COMPLETE"), d("COMPLETE")}}, true, 0, 0},
		{"one in progress", &ecrreplication.Report{Destinations: []ecrreplication.Destination{d("COMPLETE"), d("IN_PROGRESS")}}, false, 0, 1},
		{"unknown status is pending", &ecrreplication.Report{Destinations: []ecrreplication.Destination{d("COMPLETE"), d("complete")}}, false, 0, 1},
		{"empty status is pending", &ecrreplication.Report{Destinations: []ecrreplication.Destination{d("")}}, false, 0, 1},
		{"failed", &ecrreplication.Report{Destinations: []ecrreplication.Destination{d("FAILED"), d("COMPLETE")}}, false, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.report.Complete(); got != tt.complete {
				t.Errorf("Complete() = %v, want %v", got, tt.complete)
			}
			if got := len(tt.report.Failed()); got != tt.failed {
				t.Errorf("len(Failed()) = %d, want %d", got, tt.failed)
			}
			if got := len(tt.report.Pending()); got != tt.pending {
				t.Errorf("len(Pending()) = %d, want %d", got, tt.pending)
			}
		})
	}
}

func TestNewReportToleratesNil(t *testing.T) {
	tests := []struct {
		name string
		in   *ecr.DescribeImageReplicationStatusInput
		out  *ecr.DescribeImageReplicationStatusOutput
		want *ecrreplication.Report
	}{
		{"both nil", nil, nil, &ecrreplication.Report{}},
		{"nil output", validInput(), nil, &ecrreplication.Report{RegistryID: "123456789012", Repository: "team/service-api", ImageTag: "v1.2.3", ImageDigest: validDigest}},
		{"empty output keeps input", &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}},
			&ecr.DescribeImageReplicationStatusOutput{ImageId: &types.ImageIdentifier{}},
			&ecrreplication.Report{Repository: "app", ImageTag: "v1"}},
		{"entries without a region are left out and counted", nil, &ecr.DescribeImageReplicationStatusOutput{ReplicationStatuses: []types.ImageReplicationStatus{
			{}, {Region: aws.String("a")}, {Region: aws.String(""), Status: types.ReplicationStatusComplete}, {RegistryId: aws.String("123456789012")},
		}},
			&ecrreplication.Report{Destinations: []ecrreplication.Destination{{Region: "a"}}, Malformed: 3}},
		{"the answer cannot rewrite the request", &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}},
			&ecr.DescribeImageReplicationStatusOutput{RepositoryName: aws.String("app2"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v2"), ImageDigest: aws.String(validDigest)}},
			&ecrreplication.Report{Repository: "app", ImageTag: "v1", ImageDigest: validDigest}},
		{"a requested digest stays", &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{ImageDigest: aws.String(validDigest)}},
			&ecr.DescribeImageReplicationStatusOutput{ImageId: &types.ImageIdentifier{ImageDigest: aws.String("sha256:" + strings.Repeat("f", 64))}},
			&ecrreplication.Report{Repository: "app", ImageDigest: validDigest}},
		{"without a request the answer names the image", nil,
			&ecr.DescribeImageReplicationStatusOutput{RepositoryName: aws.String("app2"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v2"), ImageDigest: aws.String(validDigest)}},
			&ecrreplication.Report{Repository: "app2", ImageTag: "v2", ImageDigest: validDigest}},
		{"duplicates merge into the least favourable listing", nil, &ecr.DescribeImageReplicationStatusOutput{ReplicationStatuses: []types.ImageReplicationStatus{
			{Region: aws.String("eu"), Status: types.ReplicationStatusInProgress},
			{Region: aws.String("eu"), Status: types.ReplicationStatusComplete},
			{Region: aws.String("us"), Status: types.ReplicationStatusComplete},
			{Region: aws.String("us"), Status: types.ReplicationStatusFailed, FailureCode: aws.String("ACCESS_DENIED")},
			{Region: aws.String("us"), Status: "PAUSED"},
			{Region: aws.String("ap"), Status: types.ReplicationStatusComplete},
			{Region: aws.String("ap"), Status: types.ReplicationStatusComplete},
			{Region: aws.String("ap"), RegistryId: aws.String("210987654321"), Status: types.ReplicationStatusInProgress},
		}},
			&ecrreplication.Report{Destinations: []ecrreplication.Destination{
				{Region: "ap", Status: types.ReplicationStatusComplete},
				{Region: "ap", RegistryID: "210987654321", Status: types.ReplicationStatusInProgress},
				{Region: "eu", Status: types.ReplicationStatusInProgress},
				{Region: "us", Status: types.ReplicationStatusFailed, FailureCode: "ACCESS_DENIED"},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ecrreplication.NewReport(tt.in, tt.out)); diff != "" {
				t.Errorf("NewReport (-want +got):\n%s", diff)
			}
		})
	}
}
