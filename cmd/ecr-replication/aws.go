package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ecrkit/ecrreplication"
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
// maps service errors to the package's sentinels. It makes no request:
// credentials are resolved on the first call. An error here is a
// configuration error.
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
	cfg.Logger = sdkLogger{a}
	a.debug.logf("AWS configuration loaded: region %s", cfg.Region)
	return ecr.NewFromConfig(cfg, ecrreplication.WithErrorMapping, func(o *ecr.Options) {
		if a.g.endpointURL != "" {
			o.BaseEndpoint = aws.String(a.g.endpointURL)
		}
		if a.env.httpClient != nil {
			o.HTTPClient = a.env.httpClient
		}
		if a.debug.enabled {
			o.APIOptions = append(o.APIOptions, a.debug.httpMiddleware)
		}
	}), nil
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

// sdkLogger passes the SDK's own log lines (warnings, such as a clock skew)
// to stderr; debug lines only with --debug.
type sdkLogger struct{ a *app }

// Logf implements logging.Logger.
func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	if c == logging.Debug {
		l.a.debug.logf("sdk: "+format, v...)
		return
	}
	fmt.Fprintf(l.a.stderr, "%s: warning: %s\n", programName, fmt.Sprintf(format, v...))
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

// logf writes one debug line, prefixed with the time since the start.
func (d *debugLog) logf(format string, v ...any) {
	if d == nil || !d.enabled {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.w, "debug: %7.3fs %s\n", time.Since(d.start).Seconds(), fmt.Sprintf(format, v...))
}

// httpMiddleware adds to a client's stack a middleware that logs every HTTP
// attempt. It sits next to the transport, so each retry is a line.
func (d *debugLog) httpMiddleware(s *middleware.Stack) error {
	return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("ecrReplicationDebugLog",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			t0 := time.Now()
			out, md, err := next.HandleDeserialize(ctx, in)
			op := awsmiddleware.GetOperationName(ctx)
			target := ""
			if req, ok := in.Request.(*smithyhttp.Request); ok && req.URL != nil {
				target = req.Method + " " + req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
			}
			took := time.Since(t0).Round(time.Millisecond)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok {
				d.logf("%s %s: HTTP %d, request ID %q, %v", op, target, resp.StatusCode, resp.Header.Get("X-Amzn-Requestid"), took)
			} else if err != nil {
				d.logf("%s %s: no response: %v (%v)", op, target, err, took)
			}
			return out, md, err
		}), middleware.After)
}
