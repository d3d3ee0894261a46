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

// configError is an error in the AWS configuration: invalid-input.
type configError struct{ error }

// Unwrap returns the underlying error.
func (e *configError) Unwrap() error { return e.error }

// newClient loads the AWS configuration as the AWS CLI does and returns an
// ECR client that maps errors to the library's sentinels, caps answers,
// explains answers that are none and logs each exchange with --debug. It
// sends nothing.
func (a *app) newClient(ctx context.Context) (*ecr.Client, error) {
	load := a.env.loadConfig
	if load == nil {
		load = func(ctx context.Context, g *globals) (aws.Config, error) {
			var opts []func(*config.LoadOptions) error
			if g.profile != "" {
				opts = append(opts, config.WithSharedConfigProfile(g.profile))
			}
			if g.region != "" {
				opts = append(opts, config.WithRegion(g.region))
			}
			return config.LoadDefaultConfig(ctx, append(opts, a.env.configOptions...)...)
		}
	}
	cfg, err := load(ctx, &a.g)
	if err != nil {
		return nil, &configError{fmt.Errorf("loading the AWS configuration: %w", err)}
	}
	if cfg.Region == "" {
		return nil, &configError{errNoRegion}
	}
	// Never log HTTP bodies or headers: they carry the signature and the
	// session token. The SDK's own warnings, such as a clock skew, go to
	// stderr once per kind; every line goes to --debug.
	var mu sync.Mutex
	seen := map[string]bool{}
	cfg.ClientLogMode, cfg.Logger = 0, logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		msg := fmt.Sprintf(format, v...)
		a.debug.logf("sdk: %s", msg)
		mu.Lock()
		first := !seen[format]
		seen[format] = true
		mu.Unlock()
		if c != logging.Debug && first {
			a.warn("AWS SDK: " + msg)
		}
	})
	a.debug.logf("AWS configuration loaded: region %s", cfg.Region)
	return ecr.NewFromConfig(cfg, ecrreplication.WithErrorMapping, func(o *ecr.Options) {
		if a.g.endpointURL != "" {
			o.BaseEndpoint = aws.String(a.g.endpointURL)
		}
		if a.env.httpClient != nil {
			o.HTTPClient = a.env.httpClient
		}
		o.APIOptions = append(o.APIOptions, a.debug.exchanges)
	}, ecrreplication.WithMaxResponseSize(0)), nil
}

// explainedError is an error with a message that says what happened, and
// a hint; Unwrap returns its cause.
type explainedError struct {
	msg, hint string
	err       error
}

// Error returns the message.
func (e *explainedError) Error() string { return e.msg }

// Unwrap returns the SDK's error.
func (e *explainedError) Unwrap() error { return e.err }

// debugLog writes --debug lines on stderr: the command's events and one line
// per HTTP exchange, never headers or bodies. A nil one writes nothing.
type debugLog struct {
	w     io.Writer
	start time.Time
}

// logf writes one debug line, after the time since the start, made safe.
func (d *debugLog) logf(format string, v ...any) {
	if d != nil {
		fmt.Fprintf(d.w, "debug: %7.3fs %s\n", time.Since(d.start).Seconds(), safetext.Line(fmt.Sprintf(format, v...), maxLine))
	}
}

// exchanges adds to a client's stack a middleware that logs every HTTP
// exchange with --debug and makes two SDK errors say what happened: no
// answer, with the network error; a redirect, not followed, with where it
// points. The SDK's errors stay in the chain.
func (d *debugLog) exchanges(s *middleware.Stack) error {
	return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("ecrReplicationExchanges",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			t0 := time.Now()
			out, md, err := next.HandleDeserialize(ctx, in)
			target, method := "the endpoint", ""
			if r, ok := in.Request.(*smithyhttp.Request); ok && r.URL != nil {
				target, method = r.URL.Scheme+"://"+r.URL.Host+r.URL.Path, r.Method+" "
			}
			op, took := awsmiddleware.GetOperationName(ctx), time.Since(t0).Round(time.Millisecond)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.StatusCode > 0 {
				d.logf("%s %s%s: HTTP %d, request ID %q, %v", op, method, target, resp.StatusCode, resp.Header.Get("X-Amzn-Requestid"), took)
			} else if err != nil {
				d.logf("%s %s%s: no response: %v (%v)", op, method, target, err, took)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) {
				return out, md, err
			}
			switch code := re.HTTPStatusCode(); {
			case code == 0:
				cause := re.Err
				var ue *url.Error
				if errors.As(cause, &ue) {
					cause = ue.Err
				}
				err = &explainedError{fmt.Sprintf("no answer from %s: %v", target, cause), "", err}
			case code >= 300 && code < 400:
				err = &explainedError{fmt.Sprintf("%s answered HTTP %d, a redirect to %s, which is not followed: the endpoint must be ECR's own",
					target, code, quote(re.Response.Header.Get("Location"))), "point --endpoint-url, or --region, at the ECR endpoint itself", err}
			}
			return out, md, err
		}), middleware.Before)
}
