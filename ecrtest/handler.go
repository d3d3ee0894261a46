package ecrtest

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// targetPrefix is the X-Amz-Target prefix of ECR operations.
const targetPrefix = "AmazonEC2ContainerRegistry_V20150921."

// maxBodyBytes bounds request bodies (a manifest is at most 4 MiB, which
// JSON escaping can make longer). ECR's own limit is not on record.
const maxBodyBytes = 8 << 20

// errBodyTooLarge is the answer to a request body over maxBodyBytes: HTTP
// 413, not the decoding error that a cut body would give. ECR's answer is
// not on record.
func errBodyTooLarge() *apiError {
	return newError(http.StatusRequestEntityTooLarge, codeSerialization,
		"The request body is larger than %d bytes, the most ecrtest accepts", maxBodyBytes)
}

// readBody reads a request body of at most maxBodyBytes; tooLarge reports a
// longer one, whose rest is not read.
func readBody(r *http.Request) (body []byte, tooLarge bool, err error) {
	if r.ContentLength > maxBodyBytes {
		return nil, true, nil
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if len(body) > maxBodyBytes {
		return nil, true, nil
	}
	return body, false, err
}

// contentTypeOK reports whether the request declares the awsJson1_1 media
// type (parameters such as charset are allowed).
func contentTypeOK(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == jsonContentType
}

// serveHTTP is the server's HTTP handler: it assigns a request ID, reads the
// body, authenticates, logs the call, applies any injected fault, checks the
// media type and the target and dispatches to the operation.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		dropConnection(w)
		return
	}
	defer s.inflight.Done()

	reqID := s.newRequestID()
	w.Header().Set(headerRequestID, reqID)

	body, tooLarge, readErr := readBody(r)
	target := r.Header.Get("X-Amz-Target")
	op := strings.TrimPrefix(target, targetPrefix)

	var authErr *apiError
	if s.opts.RequireAuth && !tooLarge && readErr == nil {
		authErr = s.authenticate(r, body)
	}

	s.mu.Lock()
	fault, faulted := Fault{}, false
	if authErr == nil && readErr == nil && !tooLarge {
		fault, faulted = s.nextFault(op)
	}
	s.record(Call{Operation: op, Body: body, Fault: fault.Kind, RequestID: reqID, Time: time.Now()})
	s.mu.Unlock()

	switch {
	case tooLarge:
		writeError(w, errBodyTooLarge())
		return
	case readErr != nil:
		writeError(w, errSerialization("Unable to read the request body"))
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

	if !contentTypeOK(r) {
		writeUnknownOperationXML(w)
		return
	}
	handle, ok := operations[op]
	switch {
	case r.Method != http.MethodPost || !strings.HasPrefix(target, targetPrefix) || !isECROperation(op):
		// Kinesis and Firehose answer an unknown target with HTTP 400 and
		// {"__type":"UnknownOperationException"}, no message
		// (mhart/kinesis#22, sharethrough/flume-kinesis#11); ECR's answer is
		// not on record.
		writeError(w, &apiError{Status: http.StatusBadRequest, Code: codeUnknownOperation})
		return
	case !ok:
		writeError(w, newError(http.StatusBadRequest, codeUnknownOperation,
			"ecrtest does not implement the ECR operation %s", echo(op)))
		return
	}
	resp, apiErr := handle(s, body)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	writeJSON(w, resp)
}

// writeUnknownOperationXML answers a request whose Content-Type is not
// application/x-amz-json-1.1. Kinesis, another awsJson1_1 service, answers
// such a request with the XML body "<UnknownOperationException/>"
// (disneystreaming/smithy4s#167); ECR's answer is not on record, and neither
// are the status and headers: ecrtest sends HTTP 400 and an
// X-Amzn-ErrorType header.
func writeUnknownOperationXML(w http.ResponseWriter) {
	send(w, http.StatusBadRequest, codeUnknownOperation, "text/xml", []byte("<UnknownOperationException/>\n"))
}

// newRequestID returns a fresh, deterministic UUID-shaped request ID.
func (s *Server) newRequestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestID++
	return fmt.Sprintf("ec7e5700-0000-4000-8000-%012x", s.requestID)
}
