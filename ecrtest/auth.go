package ecrtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signingService is the SigV4 service name of ECR.
const signingService = "ecr"

const amzDateFormat = "20060102T150405Z"

// signatureWindow is how far the signing time may be from the server's
// clock. The issue that asked for this check assumed 5 minutes, as Kinesis,
// ECS and Secrets Manager answer; the only answers of ECR on public record
// say 15 minutes ("Signature expired: 20170111T204052Z is now earlier than
// 20170111T225449Z (20170111T230949Z - 15 min.)",
// upmc-enterprises/registry-creds#24 and #47, GetAuthorizationToken).
const signatureWindow = 15 * time.Minute

// sigV4Auth is a parsed SigV4 Authorization header.
type sigV4Auth struct {
	accessKeyID   string
	date          string // yyyymmdd of the credential scope
	region        string
	service       string
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
			// AKID/yyyymmdd/region/service/aws4_request
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[0] == "" || scope[4] != "aws4_request" {
				return sigV4Auth{}, false
			}
			a.accessKeyID, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
			haveCred = true
		case "SignedHeaders":
			a.signedHeaders, haveHeaders = strings.Split(v, ";"), v != ""
		case "Signature":
			haveSig = v != ""
		}
	}
	return a, haveCred && haveHeaders && haveSig
}

// Answers of the authentication checks. ECR answers them with HTTP 400 and a
// JSON body, like its other errors.
var (
	// jenkinsci/aws-credentials-plugin#270: "Missing Authentication Token
	// (Service: AmazonECR; Status Code: 400; Error Code:
	// MissingAuthenticationTokenException ...)".
	errMissingToken = newError(http.StatusBadRequest, codeMissingAuthToken, "Missing Authentication Token")
	// aws/aws-sdk-php#1114 (ECR GetAuthorizationToken): 400,
	// {"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}.
	errUnrecognizedClient = newError(http.StatusBadRequest, codeUnrecognizedClient, "The security token included in the request is invalid.")
	// The message AWS's JSON services send for a wrong secret
	// (teralytics/prometheus-ecs-discovery#7, ECS: status code 400). Some
	// services add the canonical request; whether ECR does is not on record.
	errSignatureMismatch = newError(http.StatusBadRequest, codeInvalidSignature,
		"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
)

// authenticate checks the request's SigV4 signature: the access key, the
// signing time against signatureWindow, the credential scope's region, and
// then the signature itself, by re-signing the request with the SDK's own
// signer and the accepted test credentials.
func (s *Server) authenticate(r *http.Request, body []byte) *apiError {
	header := r.Header.Get("Authorization")
	if header == "" {
		return errMissingToken
	}
	auth, ok := parseAuthorization(header)
	if !ok {
		return newError(http.StatusBadRequest, codeIncompleteSignature,
			"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=%s", echo(header))
	}
	if auth.accessKeyID != AccessKeyID {
		return errUnrecognizedClient
	}
	signingTime, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return newError(http.StatusBadRequest, codeIncompleteSignature,
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=%s", echo(header))
	}
	now := time.Now().UTC()
	switch {
	case signingTime.Before(now.Add(-signatureWindow)):
		// upmc-enterprises/registry-creds#24.
		return newError(http.StatusBadRequest, codeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - %s)",
			signingTime.Format(amzDateFormat), now.Add(-signatureWindow).Format(amzDateFormat), now.Format(amzDateFormat), windowText())
	case signingTime.After(now.Add(signatureWindow)):
		// aws/aws-sdk-go#2194 (Kinesis, 5 minutes there).
		return newError(http.StatusBadRequest, codeInvalidSignature, "Signature not yet current: %s is still later than %s (%s + %s)",
			signingTime.Format(amzDateFormat), now.Add(signatureWindow).Format(amzDateFormat), now.Format(amzDateFormat), windowText())
	}
	if auth.region != s.opts.Region {
		// aws/aws-sdk-ruby#508, aws/aws-sdk-java#1097 (SQS, SES); for ECR
		// the status is not on record.
		return newError(http.StatusBadRequest, codeInvalidSignature,
			"Credential should be scoped to a valid region, not '%s'.", echo(auth.region))
	}

	// Rebuild the request from the signed headers only, as the client saw it
	// when signing.
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	clone, err := http.NewRequestWithContext(context.Background(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return errSignatureMismatch
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
		return errSignatureMismatch
	}
	return nil
}

// windowText is signatureWindow as the service writes it: "15 min.".
func windowText() string {
	return strconv.Itoa(int(signatureWindow/time.Minute)) + " min."
}
