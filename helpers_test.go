package ecrreplication_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go/logging"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ecrkit/ecrreplication"
)

// wireServer is a minimal awsJson1_1 endpoint whose answer a test scripts.
type wireServer struct {
	srv   *httptest.Server
	calls atomic.Int64
}

// newWireServer starts an httptest server that counts requests and answers
// with h, and returns a real ECR client for it with retries off.
func newWireServer(t *testing.T, h http.HandlerFunc) (*wireServer, *ecr.Client) {
	t.Helper()
	ws := &wireServer{}
	ws.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.calls.Add(1)
		w.Header().Set("X-Amzn-Requestid", "test-request-id")
		h(w, r)
	}))
	t.Cleanup(ws.srv.Close)
	client := ecr.New(ecr.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(ws.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRET", ""),
		RetryMaxAttempts: 1,
	})
	return ws, client
}

// writeJSON answers 200 with v as an awsJson1_1 body.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

// errorForm is one way the service may send an error code.
type errorForm int

const (
	formHeader       errorForm = iota // X-Amzn-ErrorType header only
	formHeaderSuffix                  // header with the ":http://..." suffix
	formType                          // "__type": "Code"
	formTypePrefixed                  // "__type": "com.amazonaws.ecr#Code"
)

func (f errorForm) String() string {
	return [...]string{"header", "header-suffix", "__type", "__type-prefixed"}[f]
}

// writeError answers with an ECR error in the given form.
func writeError(w http.ResponseWriter, status int, code, message string, form errorForm) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	body := map[string]string{"message": message}
	switch form {
	case formHeader:
		w.Header().Set("X-Amzn-ErrorType", code)
	case formHeaderSuffix:
		w.Header().Set("X-Amzn-ErrorType", code+":http://internal.amazon.com/coral/com.amazonaws.ecr/")
	case formType:
		body["__type"] = code
	case formTypePrefixed:
		body["__type"] = "com.amazonaws.ecr#" + code
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// ignoreUnexported lets cmp.Diff compare the SDK's types, which carry an
// unexported noSmithyDocumentSerde field.
var ignoreUnexported = cmpopts.IgnoreUnexported(types.ImageIdentifier{}, types.ImageReplicationStatus{})

// ignoreProgress leaves out of cmp.Diff what a report says about the wait
// rather than the statuses: counts, times and replication times.
var ignoreProgress = cmp.Options{
	cmpopts.IgnoreFields(ecrreplication.Report{}, "Attempts", "Answers", "Elapsed", "Since", "SinceSource"),
	cmpopts.IgnoreFields(ecrreplication.Destination{}, "MissingSince", "LastSeenPending", "FirstSeenComplete"),
}

// cmpIgnoreTimesButMissing leaves out of cmp.Diff the replication times of
// destinations, but not MissingSince.
var cmpIgnoreTimesButMissing = cmp.Options{
	cmpopts.IgnoreFields(ecrreplication.Destination{}, "LastSeenPending", "FirstSeenComplete"),
}

// entryLogger keeps every log entry apart, so that a test can check that
// each is one line.
type entryLogger struct{ entries *[]string }

// Logf records one entry.
func (l entryLogger) Logf(_ logging.Classification, format string, v ...any) {
	*l.entries = append(*l.entries, fmt.Sprintf(format, v...))
}
