package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// errNoRegion is the configuration error of a missing region.
var errNoRegion = errors.New("no AWS region is configured: pass --region, set AWS_REGION, or set region in your profile")

// configError is an error in the AWS configuration, found before any
// request: exit code 2.
type configError struct{ err error }

// Error returns the underlying error's text.
func (e *configError) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e *configError) Unwrap() error { return e.err }

// newClient loads the AWS configuration the way the AWS CLI does (the SDK's
// default chain, with --profile and --region) and returns an ECR client that
// maps service errors to the package's sentinels, reads at most
// ecrreplication.DefaultMaxResponseSize of each answer, and says in its
// errors what happened when no answer came or the answer was a redirect. It
// makes no request: credentials are resolved on the first call. An error
// here is a configuration error.
func (a *app) newClient(ctx context.Context) (*ecr.Client, error) {
	load := a.env.loadConfig
	if load == nil {
		load = a.loadDefaultConfig
	}
	cfg, err := load(ctx, &a.g)
	if err != nil {
		return nil, &configError{fmt.Errorf("loading the AWS configuration: %w", err)}
	}
	if cfg.Region == "" {
		return nil, &configError{errNoRegion}
	}
	// Never log HTTP bodies or headers: they carry the signature and the
	// session token.
	cfg.ClientLogMode = 0
	cfg.Logger = &sdkLogger{a: a, seen: map[string]bool{}}
	a.debug.logf("AWS configuration loaded: region %s", cfg.Region)
	return ecr.NewFromConfig(cfg, ecrreplication.WithErrorMapping, func(o *ecr.Options) {
		if a.g.endpointURL != "" {
			o.BaseEndpoint = aws.String(a.g.endpointURL)
		}
		if a.env.httpClient != nil {
			o.HTTPClient = a.env.httpClient
		}
		o.APIOptions = append(o.APIOptions, explainErrors)
		if a.debug.enabled {
			o.APIOptions = append(o.APIOptions, a.debug.httpMiddleware)
		}
	}, ecrreplication.WithMaxResponseSize(0)), nil
}

// loadDefaultConfig is config.LoadDefaultConfig with the command line's
// profile and region, then the environment's extra options.
func (a *app) loadDefaultConfig(ctx context.Context, g *globals) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if g.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(g.profile))
	}
	if g.region != "" {
		opts = append(opts, config.WithRegion(g.region))
	}
	opts = append(opts, a.env.configOptions...)
	return config.LoadDefaultConfig(ctx, opts...)
}

// sdkLogger passes the SDK's own warnings (such as a clock skew) to stderr,
// each kind once per run and none with --quiet; every line goes to --debug.
type sdkLogger struct {
	a    *app
	mu   sync.Mutex
	seen map[string]bool
}

// Logf implements logging.Logger.
func (l *sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	l.a.debug.logf("sdk: %s", msg)
	l.mu.Lock()
	first := !l.seen[format]
	l.seen[format] = true
	l.mu.Unlock()
	if c != logging.Debug && first {
		l.a.warn("AWS SDK: " + msg)
	}
}

// explainErrors adds to a client's stack a middleware that makes two of the
// SDK's errors say what happened: a request that got no answer (not sent,
// cut off or timed out: "https response error StatusCode: 0") says so, with
// the network error; a redirect, which the SDK does not follow
// ("UnknownError"), names its status and where it points. The SDK's errors stay in the chain for
// errors.As, and the retryer and the waiter see the same errors as before.
func explainErrors(s *middleware.Stack) error {
	return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("ecrReplicationExplainErrors",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			var re *awshttp.ResponseError
			if err == nil || !errors.As(err, &re) {
				return out, md, err
			}
			switch code := re.HTTPStatusCode(); {
			case code == 0:
				cause := re.Err
				var send *smithyhttp.RequestSendError
				var ue *url.Error
				if errors.As(cause, &send) {
					cause = send.Err
				}
				if errors.As(cause, &ue) {
					cause = ue.Err
				}
				err = &explainedError{msg: fmt.Sprintf("no answer from %s: %v", target(in.Request), cause), err: err}
			case code >= 300 && code < 400:
				err = &explainedError{msg: fmt.Sprintf("%s answered HTTP %d, a redirect to %s, which is not followed: the endpoint must be ECR's own",
					target(in.Request), code, quote(re.Response.Header.Get("Location"))), err: err}
			}
			return out, md, err
		}), middleware.Before)
}

// explainedError is an SDK error with a message that says what happened.
type explainedError struct {
	msg string
	err error
}

// Error returns the message.
func (e *explainedError) Error() string { return e.msg }

// Unwrap returns the SDK's error.
func (e *explainedError) Unwrap() error { return e.err }

// target names the endpoint a request went to, as scheme://host/path.
func target(req any) string {
	if r, ok := req.(*smithyhttp.Request); ok && r.URL != nil {
		return r.URL.Scheme + "://" + r.URL.Host + r.URL.Path
	}
	return "the endpoint"
}

// debugLog writes --debug lines on stderr. It logs the command's own events
// and one line per HTTP exchange (method, URL, status, request ID, duration),
// never headers or bodies, so credentials and signatures cannot leak. A
// disabled debugLog discards everything.
type debugLog struct {
	enabled bool
	mu      sync.Mutex
	w       io.Writer
	start   time.Time
}

// newDebugLog returns a debug log on w, enabled or not.
func newDebugLog(w io.Writer, enabled bool) *debugLog {
	return &debugLog{enabled: enabled, w: w, start: time.Now()}
}

// logf writes one debug line, prefixed with the time since the start and
// made safe for the terminal.
func (d *debugLog) logf(format string, v ...any) {
	if d == nil || !d.enabled {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.w, "debug: %7.3fs %s\n", time.Since(d.start).Seconds(), safetext.Line(fmt.Sprintf(format, v...), maxLine))
}

// httpMiddleware adds to a client's stack a middleware that logs every HTTP
// attempt. It sits next to the transport, so each retry is a line.
func (d *debugLog) httpMiddleware(s *middleware.Stack) error {
	return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("ecrReplicationDebugLog",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			t0 := time.Now()
			out, md, err := next.HandleDeserialize(ctx, in)
			op, took := awsmiddleware.GetOperationName(ctx), time.Since(t0).Round(time.Millisecond)
			method := ""
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				method = req.Method + " "
			}
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.StatusCode > 0 {
				d.logf("%s %s%s: HTTP %d, request ID %q, %v", op, method, target(in.Request), resp.StatusCode, resp.Header.Get("X-Amzn-Requestid"), took)
			} else if err != nil {
				d.logf("%s %s%s: no response: %v (%v)", op, method, target(in.Request), err, took)
			}
			return out, md, err
		}), middleware.After)
}
