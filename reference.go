package ecrreplication

import (
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// FieldImageReference is the Violation.Field of an image reference that
// ParseImageReference cannot read as a whole (its parts are reported under
// their own fields).
const FieldImageReference = "imageReference"

// ImageReference is an image as a pipeline names it: what docker push was
// given, or a repository with a tag or digest. Make one with
// ParseImageReference.
type ImageReference struct {
	// RegistryID and Region come from the host of a full URI
	// (ACCOUNT.dkr.ecr.REGION.amazonaws.com/...); both are "" when the
	// reference names no host: the caller's default registry and region.
	// Send the request in Region (its client's region) when it is set.
	RegistryID string
	Region     string
	Repository string
	// Tag and Digest name the image; at least one is set.
	Tag    string
	Digest string
}

// referenceForms lists the forms ParseImageReference accepts, for messages.
const referenceForms = "use REPO:TAG, REPO@sha256:DIGEST, REPO:TAG@sha256:DIGEST, or a full URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/REPO:TAG"

// ParseImageReference reads an image reference in one of the forms
// pipelines have:
//
//	team/api:v1.4.2
//	team/api@sha256:4f1c...
//	team/api:v1.4.2@sha256:4f1c...
//	123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v1.4.2
//	123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/team/api:v1.4.2
//	123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/api:v1.4.2
//	123456789012.dkr-ecr.us-east-1.on.aws/team/api:v1.4.2 (dual-stack)
//
// As for docker, the part before the first '/' is a registry host when it
// has a '.' or a ':' or is localhost; so a repository whose first part has
// a dot is named by its full URI. A host other than an Amazon ECR private
// registry's (public.ecr.aws, ghcr.io, docker.io, a host with a port) is
// refused: DescribeImageReplicationStatus knows only ECR private
// registries. Every problem, of the reference's form or of its parts
// (ValidateInput's checks), is reported at once as a *ValidationError,
// which matches ErrValidation and names each value.
func ParseImageReference(s string) (ImageReference, error) {
	var vs violations
	bad := func(constraint string) (ImageReference, error) {
		vs.add(FieldImageReference, s, constraint)
		return ImageReference{}, vs.err()
	}
	switch {
	case s == "":
		return bad("is empty: " + referenceForms)
	case strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return bad("contains white space or a control character: " + referenceForms + ", one image per value")
	}
	var ref ImageReference
	rest := s
	if host, path, ok := strings.Cut(s, "/"); ok && (strings.ContainsAny(host, ".:") || host == "localhost") {
		registry, region, problem := parseRegistryHost(host)
		if problem != "" {
			return bad(problem)
		}
		ref.RegistryID, ref.Region, rest = registry, region, path
	}
	name := rest
	var tag, digest *string
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		name, digest = rest[:at], ptr(rest[at+1:])
	}
	if colon := strings.LastIndexByte(name, ':'); colon > strings.LastIndexByte(name, '/') {
		name, tag = name[:colon], ptr(name[colon+1:])
	}
	switch {
	case name == "":
		return bad("names no repository: " + referenceForms)
	case tag == nil && digest == nil:
		return bad("names no tag or digest: " + referenceForms)
	}
	ref.Repository, ref.Tag, ref.Digest = name, deref(tag), deref(digest)
	in := &ecr.DescribeImageReplicationStatusInput{RepositoryName: &name, ImageId: &types.ImageIdentifier{ImageTag: tag, ImageDigest: digest}}
	if err := ValidateInput(in); err != nil {
		return ImageReference{}, err
	}
	return ref, nil
}

// parseRegistryHost reads an Amazon ECR private registry's host and returns
// its account and region, or why it is not one.
func parseRegistryHost(host string) (registry, region, problem string) {
	h := strings.ToLower(host)
	notECR := "names the registry " + quote(host) + ", which is not an Amazon ECR private registry: DescribeImageReplicationStatus needs ACCOUNT.dkr.ecr.REGION.amazonaws.com (or .amazonaws.com.cn, dkr.ecr-fips, dkr-ecr.REGION.on.aws), or REPO:TAG alone"
	switch {
	case strings.Contains(h, ":"):
		return "", "", "names the registry " + quote(host) + " with a port, which is not an Amazon ECR private registry: " + referenceForms
	case h == "public.ecr.aws" || strings.HasSuffix(h, ".public.ecr.aws"):
		return "", "", "names Amazon ECR Public (" + quote(host) + "), which has no replication: DescribeImageReplicationStatus knows only ECR private registries (ACCOUNT.dkr.ecr.REGION.amazonaws.com)"
	}
	account, rest, _ := strings.Cut(h, ".")
	var service string
	for _, form := range []struct{ prefix, suffix string }{
		{"dkr.ecr.", ".amazonaws.com"},
		{"dkr.ecr.", ".amazonaws.com.cn"},
		{"dkr.ecr-fips.", ".amazonaws.com"},
		{"dkr-ecr.", ".on.aws"},
	} {
		if strings.HasPrefix(rest, form.prefix) && strings.HasSuffix(rest, form.suffix) && len(rest) > len(form.prefix)+len(form.suffix) {
			service, region = form.prefix, rest[len(form.prefix):len(rest)-len(form.suffix)]
		}
	}
	switch {
	case service == "":
		return "", "", notECR
	case ValidateRegistryID(account) != nil:
		return "", "", "names the registry " + quote(host) + ", whose account " + quote(account) + " is not a 12-digit AWS account ID"
	case !regionName.MatchString(region):
		return "", "", "names the registry " + quote(host) + ", whose region " + quote(region) + " is not a region name such as us-east-1"
	}
	return account, region, ""
}

// regionName is the shape of an AWS region name: us-east-1, us-gov-west-1,
// ap-southeast-2.
var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// Input returns the DescribeImageReplicationStatus request for the image:
// its repository, tag and digest, and its registry when the reference
// named one.
func (r ImageReference) Input() *ecr.DescribeImageReplicationStatusInput {
	in := &ecr.DescribeImageReplicationStatusInput{RepositoryName: ptr(r.Repository), ImageId: &types.ImageIdentifier{}}
	if r.RegistryID != "" {
		in.RegistryId = ptr(r.RegistryID)
	}
	if r.Tag != "" {
		in.ImageId.ImageTag = ptr(r.Tag)
	}
	if r.Digest != "" {
		in.ImageId.ImageDigest = ptr(r.Digest)
	}
	return in
}

func ptr(s string) *string { return &s }
