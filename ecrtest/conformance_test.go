package ecrtest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ecrkit/ecrreplication/ecrtest"
	"github.com/ecrkit/ecrreplication/internal/wirefixture"
)

// TestConformanceServer sends the request of every fixture to ecrtest and
// checks that it answers with the status, error code and message of the
// real-world answer (or their shape, where the answer holds times).
func TestConformanceServer(t *testing.T) {
	fixtures, err := wirefixture.Load(filepath.Join("..", "testdata", "wire"))
	if err != nil {
		t.Fatal(err)
	}
	for name, fx := range fixtures {
		t.Run(name, func(t *testing.T) {
			if fx.Ecrtest.Skip != "" {
				t.Skip(fx.Ecrtest.Skip)
			}
			status, header, body := askServer(t, fx)
			if status != fx.Response.Status {
				t.Fatalf("status %d, want %d; body %.300s", status, fx.Response.Status, body)
			}
			switch fx.Ecrtest.Compare {
			case "status":
				return
			case "body":
				if body != fx.Response.Body {
					t.Errorf("body %q, want %q", body, fx.Response.Body)
				}
				return
			}
			wantCode, wantMsg := errorOf(t, http.Header{"X-Amzn-Errortype": {fx.Response.Headers["X-Amzn-ErrorType"]}}, fx.Response.Body)
			gotCode, gotMsg := errorOf(t, header, body)
			if gotCode != wantCode {
				t.Errorf("code %q, want %q", gotCode, wantCode)
			}
			if fx.Ecrtest.Compare == "code" {
				return
			}
			if p := fx.Ecrtest.MessagePattern; p != "" {
				re := regexp.MustCompile(p)
				if !re.MatchString(wantMsg) {
					t.Errorf("the fixture's message %q does not match %s", wantMsg, p)
				}
				if !re.MatchString(gotMsg) {
					t.Errorf("message %q does not match %s", gotMsg, p)
				}
				return
			}
			if gotMsg != wantMsg {
				t.Errorf("message %q, want %q", gotMsg, wantMsg)
			}
		})
	}
}

// errorOf returns the error code (as the SDKs read it: the header first,
// then __type or code, without namespace or URI) and the message (message or
// Message) of an answer.
func errorOf(t *testing.T, h http.Header, body string) (code, message string) {
	t.Helper()
	var m map[string]any
	_ = json.Unmarshal([]byte(body), &m)
	code = h.Get("X-Amzn-Errortype")
	for _, k := range []string{"__type", "code"} {
		if s, ok := m[k].(string); ok && code == "" {
			code = s
		}
	}
	if i := strings.Index(code, ":"); i >= 0 {
		code = code[:i]
	}
	if i := strings.Index(code, "#"); i >= 0 {
		code = code[i+1:]
	}
	for _, k := range []string{"message", "Message"} {
		if s, ok := m[k].(string); ok {
			message = s
		}
	}
	return code, message
}

// askServer sends the fixture's request to a fresh in-memory server holding
// app:v1 and returns the answer.
func askServer(t *testing.T, fx wirefixture.Fixture) (int, http.Header, string) {
	t.Helper()
	e := fx.Ecrtest
	auth := e.Auth != ""
	srv := ecrtest.NewInMemoryServer(func(o *ecrtest.Options) { o.RequireAuth = auth })
	defer srv.Close()
	push(t, srv, "app", "v1")
	switch e.Fault {
	case "throttle":
		srv.InjectFault(e.Operation, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 1)
	case "server":
		srv.InjectFault(e.Operation, ecrtest.Fault{Kind: ecrtest.FaultServerError}, 1)
	}
	req, err := http.NewRequest(http.MethodPost, "http://ecrtest.invalid/", strings.NewReader(string(e.Body)))
	if err != nil {
		t.Fatal(err)
	}
	ct := e.ContentType
	if ct == "" {
		ct = "application/x-amz-json-1.1"
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-Amz-Target", prefix+e.Operation)
	if auth && e.Auth != "none" {
		key, secret, region, at := ecrtest.AccessKeyID, ecrtest.SecretAccessKey, srv.Region(), time.Now()
		kind, value, _ := strings.Cut(e.Auth, ":")
		switch kind {
		case "skew":
			d, err := time.ParseDuration(value)
			if err != nil {
				t.Fatal(err)
			}
			at = at.Add(d)
		case "key":
			key = value
		case "secret":
			secret = value
		case "region":
			region = value
		}
		sum := sha256.Sum256(e.Body)
		creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "ecr", region, at); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}
