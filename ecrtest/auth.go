package ecrtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signingService is the SigV4 service name of ECR.
const signingService = "ecr"

const amzDateFormat = "20060102T150405Z"

// sigV4Auth is a parsed SigV4 Authorization header.
type sigV4Auth struct {
	accessKeyID   string
	signedHeaders []string
}

func parseAuthorization(h string) (sigV4Auth, bool) {
	const algorithm = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(h, algorithm) {
		return sigV4Auth{}, false
	}
	var a sigV4Auth
	var haveCred, haveHeaders, haveSig bool
	for _, part := range strings.Split(strings.TrimPrefix(h, algorithm), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return sigV4Auth{}, false
		}
		switch k {
		case "Credential":
			key, _, ok := strings.Cut(v, "/")
			if !ok || key == "" {
				return sigV4Auth{}, false
			}
			a.accessKeyID, haveCred = key, true
		case "SignedHeaders":
			a.signedHeaders, haveHeaders = strings.Split(v, ";"), v != ""
		case "Signature":
			haveSig = v != ""
		}
	}
	return a, haveCred && haveHeaders && haveSig
}

// authenticate checks the request's SigV4 signature by re-signing it with the
// SDK's own signer and the accepted test credentials.
func (s *Server) authenticate(r *http.Request, body []byte) *apiError {
	header := r.Header.Get("Authorization")
	if header == "" {
		return newError(http.StatusForbidden, codeMissingAuthToken, "Missing Authentication Token")
	}
	auth, ok := parseAuthorization(header)
	if !ok {
		return newError(http.StatusBadRequest, codeIncompleteSignature,
			"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=%s", header)
	}
	if auth.accessKeyID != AccessKeyID {
		return newError(http.StatusForbidden, codeUnrecognizedClient, "The security token included in the request is invalid.")
	}
	signingTime, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return newError(http.StatusBadRequest, codeIncompleteSignature,
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=%s", header)
	}

	// Rebuild the request from the signed headers only, as the client saw it
	// when signing.
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	clone, err := http.NewRequestWithContext(context.Background(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return errSerialization("Invalid request URL")
	}
	clone.Host = r.Host
	clone.ContentLength = 0
	for _, name := range auth.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			clone.ContentLength = int64(len(body))
		default:
			if v, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
				clone.Header[http.CanonicalHeaderKey(name)] = v
			}
		}
	}
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if payloadHash == "" {
		sum := sha256.Sum256(body)
		payloadHash = hex.EncodeToString(sum[:])
	}
	creds := aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey,
		SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, clone, payloadHash,
		signingService, s.opts.Region, signingTime); err != nil {
		return errServer(defaultServerErrorReason)
	}
	want := clone.Header.Get("Authorization")
	if subtle.ConstantTimeCompare([]byte(want), []byte(header)) != 1 {
		return newError(http.StatusForbidden, codeInvalidSignature,
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}
