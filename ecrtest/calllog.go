package ecrtest

import (
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// Call is one request the server received, as recorded in its call log.
// Faulted calls and calls rejected by authentication or validation are
// recorded too.
type Call struct {
	// Operation is the operation named by the X-Amz-Target header (for an
	// target without the service prefix, the raw header value; "" when the
	// header is missing).
	Operation string
	// Body is the raw JSON request body.
	Body []byte
	// ReplicationInput is the decoded input of a
	// DescribeImageReplicationStatus call whose body is valid JSON; nil
	// otherwise.
	ReplicationInput *ecr.DescribeImageReplicationStatusInput
	// Fault is the kind of the injected fault applied to the call; 0 if none.
	Fault FaultKind
	// RequestID is the X-Amzn-Requestid the server answered with.
	RequestID string
	// Time is when the server received the call (time.Now, so virtual in a
	// testing/synctest bubble).
	Time time.Time
}

// record appends a call to the log; s.mu must be held.
func (s *Server) record(c Call) {
	if c.Operation == OpDescribeImageReplicationStatus {
		var req describeImageReplicationStatusRequest
		if json.Unmarshal(c.Body, &req) == nil {
			c.ReplicationInput = req.input()
		}
	}
	s.calls = append(s.calls, c)
}

// Calls returns the logged calls of operation, in the order received; ""
// returns every call.
func (s *Server) Calls(operation string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if operation == "" || c.Operation == operation {
			c.Body = append([]byte(nil), c.Body...)
			out = append(out, c)
		}
	}
	return out
}

// CallCount returns how many calls of operation the server received; ""
// counts every call.
func (s *Server) CallCount(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if operation == "" {
		return len(s.calls)
	}
	n := 0
	for _, c := range s.calls {
		if c.Operation == operation {
			n++
		}
	}
	return n
}
