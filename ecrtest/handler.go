package ecrtest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// targetPrefix is the X-Amz-Target prefix of ECR operations.
const targetPrefix = "AmazonEC2ContainerRegistry_V20150921."

// maxBodyBytes bounds request bodies (a manifest is at most 4 MiB).
const maxBodyBytes = 8 << 20

// serveHTTP is the server's HTTP handler: it assigns a request ID, reads the
// body, authenticates, logs the call, applies any injected fault and
// dispatches to the operation.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		dropConnection(w)
		return
	}
	defer s.inflight.Done()

	reqID := s.newRequestID()
	w.Header().Set(headerRequestID, reqID)

	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	target := r.Header.Get("X-Amz-Target")
	op := strings.TrimPrefix(target, targetPrefix)

	var authErr *apiError
	if s.opts.RequireAuth {
		authErr = s.authenticate(r, body)
	}

	s.mu.Lock()
	fault, faulted := Fault{}, false
	if authErr == nil && readErr == nil {
		fault, faulted = s.nextFault(op)
	}
	s.record(Call{Operation: op, Body: body, Fault: fault.Kind, RequestID: reqID, Time: time.Now()})
	s.mu.Unlock()

	switch {
	case readErr != nil:
		writeError(w, errSerialization("Unable to read request body: "+readErr.Error()))
		return
	case authErr != nil:
		writeError(w, authErr)
		return
	}
	if faulted {
		var proceed bool
		if w, proceed = applyFault(w, r, fault); !proceed {
			return
		}
	}

	handle, ok := operations[op]
	if r.Method != http.MethodPost || !strings.HasPrefix(target, targetPrefix) || !ok {
		writeError(w, newError(http.StatusBadRequest, codeUnknownOperation,
			"Operation %q is not supported by this endpoint (%s %s)", target, r.Method, r.URL.Path))
		return
	}
	resp, apiErr := handle(s, body)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	writeJSON(w, resp)
}

// newRequestID returns a fresh, deterministic UUID-shaped request ID.
func (s *Server) newRequestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestID++
	return fmt.Sprintf("ec7e5700-0000-4000-8000-%012x", s.requestID)
}
