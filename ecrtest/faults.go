package ecrtest

import (
	"net/http"
	"strconv"
	"time"
)

// FaultKind selects what an injected fault does to a call.
type FaultKind int

// Fault kinds. Unless noted, a faulted call is not executed: it changes no
// state and does not count as a poll.
const (
	// FaultThrottle answers HTTP 400 ThrottlingException ("Rate exceeded").
	FaultThrottle FaultKind = iota + 1
	// FaultServerError answers HTTP 500 ServerException.
	FaultServerError
	// FaultUnavailableHTML answers HTTP 503 with an HTML (non-JSON) body, as
	// a load balancer in front of the service might.
	FaultUnavailableHTML
	// FaultTruncatedBody executes the call, then sends a Content-Length for
	// the whole response but only the first half of its JSON body.
	FaultTruncatedBody
	// FaultInvalidJSON answers HTTP 200 with a body that is not valid JSON.
	FaultInvalidJSON
	// FaultLatency delays the call by Fault.Latency, then executes it
	// normally. The delay ends early when the request's context is done.
	FaultLatency
	// FaultDropConnection closes the connection without a response: over
	// loopback the connection is hijacked and closed; in memory the
	// transport's RoundTrip returns an error.
	FaultDropConnection
)

var faultNames = map[FaultKind]string{
	FaultThrottle:        "FaultThrottle",
	FaultServerError:     "FaultServerError",
	FaultUnavailableHTML: "FaultUnavailableHTML",
	FaultTruncatedBody:   "FaultTruncatedBody",
	FaultInvalidJSON:     "FaultInvalidJSON",
	FaultLatency:         "FaultLatency",
	FaultDropConnection:  "FaultDropConnection",
}

// String returns the constant's name.
func (k FaultKind) String() string {
	if n, ok := faultNames[k]; ok {
		return n
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault is an injected failure. Latency, when positive, delays the call
// before the fault takes effect, whatever its Kind (for FaultLatency it is
// the whole effect).
type Fault struct {
	Kind    FaultKind
	Latency time.Duration
}

// InjectFault queues f for the next n calls of operation (an operation name
// such as OpDescribeImageReplicationStatus), after any faults already queued
// for it. Faults are consumed in order, one per call, and may be injected
// while requests are in flight. n <= 0 queues nothing. Calls rejected by
// authentication do not consume faults.
func (s *Server) InjectFault(operation string, f Fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[operation] = append(s.faults[operation], f)
	}
}

// PendingFaults returns how many injected faults are still queued for
// operation.
func (s *Server) PendingFaults(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults[operation])
}

// nextFault dequeues the next fault for operation; s.mu must be held.
func (s *Server) nextFault(operation string) (Fault, bool) {
	q := s.faults[operation]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	if len(q) == 1 {
		delete(s.faults, operation)
	} else {
		s.faults[operation] = q[1:]
	}
	return f, true
}

// sleep waits for d or until the request's context is done, reporting
// whether the full delay elapsed.
func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

const unavailableHTML = `<!DOCTYPE html>
<html><head><title>503 Service Temporarily Unavailable</title></head>
<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>
`

// applyFault performs f. It reports whether the call should still be
// executed, with w (possibly wrapped) as the response writer.
func applyFault(w http.ResponseWriter, r *http.Request, f Fault) (http.ResponseWriter, bool) {
	if !sleep(r, f.Latency) {
		return w, false // the client is gone
	}
	switch f.Kind {
	case FaultThrottle:
		writeError(w, newError(http.StatusBadRequest, codeThrottling, "Rate exceeded"))
	case FaultServerError:
		writeError(w, errServer(defaultServerErrorReason))
	case FaultUnavailableHTML:
		send(w, http.StatusServiceUnavailable, "", "text/html", []byte(unavailableHTML))
	case FaultInvalidJSON:
		const body = `{"repositoryName": "ecrtest", "imageId": {"imageDigest": ` + "\x00" + `<<not json>>`
		send(w, http.StatusOK, "", jsonContentType, []byte(body))
	case FaultDropConnection:
		dropConnection(w)
	case FaultTruncatedBody:
		return &truncatingWriter{ResponseWriter: w, status: http.StatusOK}, true
	default: // FaultLatency and unknown kinds: execute normally
		return w, true
	}
	return w, false
}

// dropConnection ends the exchange without a response.
func dropConnection(w http.ResponseWriter) {
	if d, ok := w.(interface{ dropConnection() }); ok {
		d.dropConnection()
		return
	}
	if h, ok := w.(http.Hijacker); ok {
		if conn, _, err := h.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Cannot drop: abort the handler, which net/http turns into a closed
	// connection.
	panic(http.ErrAbortHandler)
}

// truncatingWriter sends a Content-Length for the whole body but only its
// first half.
type truncatingWriter struct {
	http.ResponseWriter
	status int
}

func (t *truncatingWriter) WriteHeader(status int) { t.status = status }

func (t *truncatingWriter) Write(p []byte) (int, error) {
	t.ResponseWriter.Header().Set("Content-Length", strconv.Itoa(len(p)))
	t.ResponseWriter.WriteHeader(t.status)
	_, err := t.ResponseWriter.Write(p[:len(p)/2])
	return len(p), err
}
