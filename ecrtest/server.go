package ecrtest

import (
	"net/http"
	"net/http/httptest"
	"sync"
)

// DefaultAccountID is the account ID of a server's own (default) registry
// unless Options.AccountID says otherwise.
const DefaultAccountID = "123456789012"

// DefaultRegion is the region a server simulates unless Options.Region says
// otherwise.
const DefaultRegion = "us-east-1"

// AccessKeyID is the access key ID of the static test credentials that
// [Server.Client] uses and that a server with Options.RequireAuth accepts.
const AccessKeyID = "AKIDECRTEST"

// SecretAccessKey is the secret access key matching [AccessKeyID].
const SecretAccessKey = "ecrtest-secret"

// Options configures a [Server].
type Options struct {
	// AccountID is the server's own account, whose registry is the default
	// registry. Default: DefaultAccountID.
	AccountID string
	// Region is the region the server simulates. Default: DefaultRegion.
	Region string
	// RequireAuth, when true, makes the server require a valid SigV4
	// signature for service "ecr" made with AccessKeyID/SecretAccessKey.
	RequireAuth bool
	// DefaultPlan is the plan for destinations not scripted in PushImage and
	// for images created through the wire PutImage operation. The zero value
	// means the package default, DefaultPlan().
	DefaultPlan Plan
}

// Server is a simulated Amazon ECR endpoint. It is safe for concurrent use.
type Server struct {
	// URL is the base URL of a loopback server, of the form
	// http://127.0.0.1:port. It is "" for in-memory servers.
	URL string

	opts       Options
	ts         *httptest.Server
	httpClient *http.Client

	mu        sync.Mutex // guards the fields below
	closed    bool
	state     *state
	faults    map[string][]Fault
	tokens    tokenSealer
	calls     []Call
	requestID uint64
	inflight  sync.WaitGroup
}

func newServer(optFns []func(*Options)) *Server {
	opts := Options{AccountID: DefaultAccountID, Region: DefaultRegion}
	for _, fn := range optFns {
		fn(&opts)
	}
	if opts.AccountID == "" {
		opts.AccountID = DefaultAccountID
	}
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if opts.DefaultPlan == (Plan{}) {
		opts.DefaultPlan = DefaultPlan()
	}
	return &Server{
		opts:   opts,
		state:  newState(opts.AccountID, opts.Region),
		faults: make(map[string][]Fault),
		tokens: newTokenSealer(),
	}
}

// NewServer starts a server listening on a loopback address, like
// httptest.NewServer. The caller must call Close.
func NewServer(optFns ...func(*Options)) *Server {
	s := newServer(optFns)
	s.ts = httptest.NewServer(s.Handler())
	s.URL = s.ts.URL
	s.httpClient = s.ts.Client()
	return s
}

// NewInMemoryServer returns a server that uses no sockets: its HTTPClient
// calls the handler directly in the calling goroutine. This lets whole waits
// run inside a testing/synctest bubble; create the server inside the bubble.
// The caller should call Close.
func NewInMemoryServer(optFns ...func(*Options)) *Server {
	s := newServer(optFns)
	s.httpClient = &http.Client{Transport: &memoryTransport{s: s}}
	return s
}

// Handler returns the server's HTTP handler. It can be mounted on any
// http.Server; requests it serves are tracked by Close.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

// HTTPClient returns an HTTP client that reaches the server: the loopback
// client of a server started by NewServer, or a client whose transport calls
// the handler in memory for a server from NewInMemoryServer.
func (s *Server) HTTPClient() *http.Client {
	return s.httpClient
}

// AccountID returns the server's own account ID (the default registry).
func (s *Server) AccountID() string { return s.opts.AccountID }

// Region returns the region the server simulates.
func (s *Server) Region() string { return s.opts.Region }

// Close shuts the server down. It waits for in-flight requests to finish and
// leaves no goroutines behind. Requests made after Close fail. Close may be
// called more than once.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	if s.ts != nil {
		s.ts.Close()
	}
	s.inflight.Wait()
	s.httpClient.CloseIdleConnections()
}

// enter registers an in-flight request; it reports false after Close.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}
