package ecrtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// errDropped is returned by the in-memory transport for FaultDropConnection.
var errDropped = errors.New("ecrtest: connection dropped by injected fault")

// errClosed is returned by the in-memory transport after Close.
var errClosed = errors.New("ecrtest: server closed")

// memoryTransport is an http.RoundTripper that serves requests by calling the
// server's handler in the calling goroutine, with no sockets.
type memoryTransport struct {
	s *Server
}

// RoundTrip implements http.RoundTripper.
func (t *memoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("ecrtest: reading request body: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.s.mu.Lock()
	closed := t.s.closed
	t.s.mu.Unlock()
	if closed {
		return nil, errClosed
	}

	sreq := req.Clone(ctx)
	sreq.Body = io.NopCloser(bytes.NewReader(body))
	sreq.ContentLength = int64(len(body))
	sreq.GetBody = nil
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "192.0.2.1:49152"
	sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	if len(body) > 0 {
		sreq.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}

	w := &memoryResponseWriter{header: make(http.Header)}
	t.s.serveHTTP(w, sreq)

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if w.dropped {
		return nil, errDropped
	}
	return w.response(req), nil
}

// memoryResponseWriter records a response, like httptest.ResponseRecorder.
type memoryResponseWriter struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
	dropped     bool
}

func (w *memoryResponseWriter) Header() http.Header { return w.header }

func (w *memoryResponseWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.status, w.wroteHeader = status, true
}

func (w *memoryResponseWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

func (w *memoryResponseWriter) dropConnection() { w.dropped = true }

// response builds the client's view of the recorded response. A body
// shorter than the declared Content-Length ends with io.ErrUnexpectedEOF, as
// it would over a connection.
func (w *memoryResponseWriter) response(req *http.Request) *http.Response {
	if !w.wroteHeader {
		w.status = http.StatusOK
	}
	n := int64(w.body.Len())
	var body io.Reader = bytes.NewReader(w.body.Bytes())
	length := n
	if cl, err := strconv.ParseInt(w.header.Get("Content-Length"), 10, 64); err == nil {
		length = cl
		if cl > n {
			body = io.MultiReader(body, errorReader{io.ErrUnexpectedEOF})
		}
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", w.status, http.StatusText(w.status)),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.header.Clone(),
		Body:          io.NopCloser(body),
		ContentLength: length,
		Request:       req,
	}
}

type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }
