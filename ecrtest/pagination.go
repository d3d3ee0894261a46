package ecrtest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// pageRequest is what a DescribeImages nextToken is bound to: a token is
// valid only for the listing it came from.
type pageRequest struct {
	registryID string
	repository string
	tagStatus  string
}

// tokenSealer makes DescribeImages nextToken values: opaque to clients and
// rejected when altered, as ECR's are (their format is not documented).
// A token is the base64url encoding of its JSON content and an HMAC-SHA256
// of it under a key that is random per server.
type tokenSealer struct {
	key []byte
}

func newTokenSealer() tokenSealer {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return tokenSealer{key: key}
}

type tokenContent struct {
	RegistryID string `json:"g"`
	Repository string `json:"r"`
	TagStatus  string `json:"s"`
	Offset     int    `json:"o"`
}

func (t tokenSealer) mac(b []byte) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write(b)
	return m.Sum(nil)
}

// seal returns the token of the page of p that starts at offset.
func (t tokenSealer) seal(p pageRequest, offset int) string {
	b, _ := json.Marshal(tokenContent{p.registryID, p.repository, p.tagStatus, offset})
	return base64.RawURLEncoding.EncodeToString(append(b, t.mac(b)...))
}

// open returns the offset a token of p stands for; ok is false when the
// token was not made by this server for p.
func (t tokenSealer) open(token string, p pageRequest) (offset int, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) <= sha256.Size {
		return 0, false
	}
	b, sum := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if !hmac.Equal(sum, t.mac(b)) {
		return 0, false
	}
	var c tokenContent
	if json.Unmarshal(b, &c) != nil || c.Offset < 0 ||
		c.RegistryID != p.registryID || c.Repository != p.repository || c.TagStatus != p.tagStatus {
		return 0, false
	}
	return c.Offset, true
}

// imageIDFailure checks one identifier of a BatchGetImage request. ECR
// answers a malformed identifier in the list with a per-image failure rather
// than an exception. The MissingDigestAndTag and InvalidImageDigest reasons
// are as in LocalStack's ECR tests (not validated against AWS there); the
// InvalidImageTag reason is ecrtest's by analogy: ECR's is not on record.
func imageIDFailure(id wireImageID) (wireImageFailure, bool) {
	f := wireImageFailure{ImageID: id}
	switch {
	case id.ImageDigest == nil && id.ImageTag == nil:
		f.FailureCode, f.FailureReason = string(types.ImageFailureCodeMissingDigestAndTag), "Invalid request parameters: both tag and digest cannot be null"
	case id.ImageDigest != nil && !reImageDigest.MatchString(*id.ImageDigest):
		f.FailureCode, f.FailureReason = string(types.ImageFailureCodeInvalidImageDigest), "Invalid request parameters: image digest should satisfy the regex '"+patternImageDigest+"'"
	case id.ImageTag != nil && (!reImageTag.MatchString(*id.ImageTag) || len(*id.ImageTag) > ruleImageTag.max):
		f.FailureCode, f.FailureReason = string(types.ImageFailureCodeInvalidImageTag), "Invalid request parameters: image tag should satisfy the regex '"+patternImageTag+"'"
	default:
		return wireImageFailure{}, false
	}
	// The failure repeats the identifier as sent; bound what it repeats.
	if f.ImageID.ImageDigest != nil {
		d := echo(*f.ImageID.ImageDigest)
		f.ImageID.ImageDigest = &d
	}
	if f.ImageID.ImageTag != nil {
		t := echo(*f.ImageID.ImageTag)
		f.ImageID.ImageTag = &t
	}
	return f, true
}
