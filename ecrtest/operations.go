package ecrtest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// Names of the operations the server implements.
const (
	OpDescribeImageReplicationStatus = "DescribeImageReplicationStatus"
	OpDescribeRegistry               = "DescribeRegistry"
	OpPutReplicationConfiguration    = "PutReplicationConfiguration"
	OpPutImage                       = "PutImage"
	OpBatchGetImage                  = "BatchGetImage"
	OpDescribeImages                 = "DescribeImages"
	OpCreateRepository               = "CreateRepository"
)

// operation answers one request body with the response value or the error
// for serveHTTP to send.
type operation func(s *Server, body []byte) (any, *apiError)

var operations = map[string]operation{
	OpDescribeImageReplicationStatus: op((*Server).describeImageReplicationStatus),
	OpDescribeRegistry:               op((*Server).describeRegistry),
	OpPutReplicationConfiguration:    op((*Server).putReplicationConfiguration),
	OpPutImage:                       op((*Server).putImage),
	OpBatchGetImage:                  op((*Server).batchGetImage),
	OpDescribeImages:                 op((*Server).describeImages),
	OpCreateRepository:               op((*Server).createRepository),
}

// request is a request shape of wire.go. check adds the request's broken
// constraints to v in the order the operation checks them; v keeps the
// first.
type request interface{ check(v *validator) }

// op is the opening every operation shares, written once: decode the body
// into In (SerializationException), check it (InvalidParameterException for
// the first broken constraint), then run do with s.mu held. do sees only
// requests that decoded and passed their checks; every error is returned
// for serveHTTP to send through writeError.
func op[In request, Out any](do func(s *Server, in *In) (*Out, *apiError)) operation {
	return func(s *Server, body []byte) (any, *apiError) {
		var in In
		if err := decode(body, &in); err != nil {
			return nil, err
		}
		out, err := call(s, &in, do)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// call is the part of op that the Go API shares (with the error as
// sdkError converts it): check in, then run do with s.mu held.
func call[In request, Out any](s *Server, in *In, do func(s *Server, in *In) (*Out, *apiError)) (*Out, *apiError) {
	var v validator
	(*in).check(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return do(s, in)
}

// registryID resolves an optional registryId member.
func (s *Server) registryID(id *string) string {
	if id == nil {
		return s.opts.AccountID
	}
	return *id
}

// repository finds a repository; s.mu must be held.
func (s *Server) repository(registryID *string, name string) (*registry, *repository, *apiError) {
	id := s.registryID(registryID)
	reg := s.state.registry(id, false)
	if reg == nil || reg.repos[name] == nil {
		return nil, nil, errRepositoryNotFound(id, name)
	}
	return reg, reg.repos[name], nil
}

// check: ECR's answers for DescribeImageReplicationStatus are not on record;
// the members are checked as DescribeImages checks the same members (see
// validate.go), in this order.
func (r describeImageReplicationStatusRequest) check(v *validator) {
	v.str("registryId", r.RegistryID, false, ruleRegistryID)
	v.str("repositoryName", r.RepositoryName, true, ruleRepositoryName)
	if v.required("imageId", r.ImageID != nil) {
		v.imageID(*r.ImageID)
		if r.ImageID.ImageDigest == nil && r.ImageID.ImageTag == nil {
			v.add("imageId", "Either imageTag or imageDigest must be specified")
		}
	}
}

func (s *Server) describeImageReplicationStatus(req *describeImageReplicationStatusRequest) (*describeImageReplicationStatusResponse, *apiError) {
	reg, repo, err := s.repository(req.RegistryID, *req.RepositoryName)
	if err != nil {
		return nil, err
	}
	img := repo.find(*req.ImageID)
	if img == nil {
		return nil, errImageNotFound(reg.id, repo.name, *req.ImageID)
	}
	return &describeImageReplicationStatusResponse{
		RepositoryName:      repo.name,
		ImageID:             wireImageID{ImageDigest: aws.String(img.digest), ImageTag: req.ImageID.ImageTag},
		ReplicationStatuses: img.poll(time.Now()),
	}, nil
}

func (describeRegistryRequest) check(*validator) {}

func (s *Server) describeRegistry(*describeRegistryRequest) (*describeRegistryResponse, *apiError) {
	reg := s.state.registry(s.opts.AccountID, true)
	return &describeRegistryResponse{RegistryID: reg.id, ReplicationConfiguration: reg.config}, nil
}

// check: the configuration's checks need the server's region and account;
// putReplicationConfiguration makes them.
func (putReplicationConfigurationRequest) check(*validator) {}

func (s *Server) putReplicationConfiguration(req *putReplicationConfigurationRequest) (*putReplicationConfigurationResponse, *apiError) {
	if err := validateReplicationConfiguration(req.ReplicationConfiguration, s.opts.Region, s.opts.AccountID); err != nil {
		return nil, err
	}
	s.state.registry(s.opts.AccountID, true).config = req.ReplicationConfiguration
	return (*putReplicationConfigurationResponse)(req), nil
}

func (r putImageRequest) check(v *validator) {
	v.str("registryId", r.RegistryID, false, ruleRegistryID)
	v.str("repositoryName", r.RepositoryName, true, ruleRepositoryName)
	v.str("imageManifest", r.ImageManifest, true, ruleManifest)
	v.str("imageTag", r.ImageTag, false, ruleImageTag)
	v.str("imageDigest", r.ImageDigest, false, ruleImageDigest)
}

func (s *Server) putImage(req *putImageRequest) (*putImageResponse, *apiError) {
	reg, repo, err := s.repository(req.RegistryID, *req.RepositoryName)
	if err != nil {
		return nil, err
	}
	digest := digestOf(*req.ImageManifest)
	if req.ImageDigest != nil {
		digest = *req.ImageDigest
	}
	mediaType := defaultMediaType
	if req.ImageManifestMediaType != nil {
		mediaType = *req.ImageManifestMediaType
	}
	img := repo.imageByDigest(digest)
	if img != nil {
		if req.ImageTag == nil || repo.tags[*req.ImageTag] == digest {
			tagPart := ""
			if req.ImageTag != nil {
				tagPart = fmt.Sprintf(" and tag '%s'", echo(*req.ImageTag))
			}
			return nil, newError(http.StatusBadRequest, codeImageAlreadyExists,
				"Image with digest '%s'%s already exists in the repository with name '%s' in the registry with id '%s'",
				echo(digest), tagPart, repo.name, reg.id)
		}
	} else {
		img = repo.addImage(reg, digest, *req.ImageManifest, mediaType, time.Now(), func(*destination) Plan {
			return s.opts.DefaultPlan
		})
	}
	if req.ImageTag != nil {
		repo.tags[*req.ImageTag] = digest
	}
	return &putImageResponse{Image: wireImage{
		RegistryID:             reg.id,
		RepositoryName:         repo.name,
		ImageID:                wireImageID{ImageDigest: aws.String(img.digest), ImageTag: req.ImageTag},
		ImageManifest:          img.manifest,
		ImageManifestMediaType: img.mediaType,
	}}, nil
}

// check: malformed identifiers in imageIds are per-image failures
// (imageIDFailure), not exceptions.
func (r batchGetImageRequest) check(v *validator) {
	v.str("registryId", r.RegistryID, false, ruleRegistryID)
	v.str("repositoryName", r.RepositoryName, true, ruleRepositoryName)
	v.imageIDs(r.ImageIDs, true)
	if r.AcceptedMediaTypes != nil {
		v.length("acceptedMediaTypes", len(r.AcceptedMediaTypes), 1, maxMediaTypes)
	}
}

func (s *Server) batchGetImage(req *batchGetImageRequest) (*batchGetImageResponse, *apiError) {
	reg, repo, err := s.repository(req.RegistryID, *req.RepositoryName)
	if err != nil {
		return nil, err
	}
	resp := &batchGetImageResponse{Images: []wireImage{}, Failures: []wireImageFailure{}}
	for _, id := range req.ImageIDs {
		if f, failed := imageIDFailure(id); failed {
			resp.Failures = append(resp.Failures, f)
			continue
		}
		img := repo.find(id)
		if img == nil {
			code, reason := types.ImageFailureCodeImageNotFound, "Requested image not found"
			if id.ImageDigest != nil && id.ImageTag != nil && repo.imageByDigest(*id.ImageDigest) != nil {
				code, reason = types.ImageFailureCodeImageTagDoesNotMatchDigest, "Invalid request parameters: given tag does not map to the given digest"
			}
			resp.Failures = append(resp.Failures, wireImageFailure{ImageID: id, FailureCode: string(code), FailureReason: reason})
			continue
		}
		resp.Images = append(resp.Images, wireImage{
			RegistryID:             reg.id,
			RepositoryName:         repo.name,
			ImageID:                wireImageID{ImageDigest: aws.String(img.digest), ImageTag: id.ImageTag},
			ImageManifest:          img.manifest,
			ImageManifestMediaType: img.mediaType,
		})
	}
	return resp, nil
}

// defaultMaxResults is how many images DescribeImages returns per page when
// maxResults is not given (the API reference: "up to 100 results").
const defaultMaxResults = 100

func (r describeImagesRequest) check(v *validator) {
	v.str("registryId", r.RegistryID, false, ruleRegistryID)
	v.str("repositoryName", r.RepositoryName, true, ruleRepositoryName)
	v.imageIDs(r.ImageIDs, false)
	for _, id := range r.ImageIDs {
		v.imageID(id)
	}
	v.rangeOf("maxResults", r.MaxResults, minMaxResults, maxMaxResults)
	if r.Filter != nil {
		v.enum("tagStatus", r.Filter.TagStatus, false, string(types.TagStatusTagged), string(types.TagStatusUntagged), string(types.TagStatusAny))
	}
	// The API reference: maxResults and nextToken "cannot be used when you
	// specify images with imageIds". ECR's wording is not on record.
	if r.ImageIDs != nil && r.MaxResults != nil {
		v.add("maxResults", "cannot be used together with imageIds")
	} else if r.ImageIDs != nil && r.NextToken != nil {
		v.add("nextToken", "cannot be used together with imageIds")
	}
}

func (s *Server) describeImages(req *describeImagesRequest) (*describeImagesResponse, *apiError) {
	reg, repo, err := s.repository(req.RegistryID, *req.RepositoryName)
	if err != nil {
		return nil, err
	}
	resp := &describeImagesResponse{ImageDetails: []wireImageDetail{}}
	detail := func(img *image) wireImageDetail {
		return wireImageDetail{
			RegistryID:             reg.id,
			RepositoryName:         repo.name,
			ImageDigest:            img.digest,
			ImageTags:              repo.tagsOf(img.digest),
			ImageSizeInBytes:       int64(len(img.manifest)),
			ImagePushedAt:          epochSeconds(img.pushedAt),
			ImageManifestMediaType: img.mediaType,
		}
	}
	if req.ImageIDs != nil {
		for _, id := range req.ImageIDs {
			if id.ImageDigest == nil && id.ImageTag == nil {
				return nil, errInvalidParameter("Invalid parameter at 'imageIds' failed to satisfy constraint: 'Either imageTag or imageDigest must be specified'")
			}
			img := repo.find(id)
			if img == nil {
				return nil, errImageNotFound(reg.id, repo.name, id)
			}
			resp.ImageDetails = append(resp.ImageDetails, detail(img))
		}
		return resp, nil
	}

	status := string(types.TagStatusAny)
	if req.Filter != nil && req.Filter.TagStatus != nil {
		status = *req.Filter.TagStatus
	}
	var images []*image
	for _, img := range repo.images {
		tagged := len(repo.tagsOf(img.digest)) > 0
		if status == string(types.TagStatusAny) || tagged == (status == string(types.TagStatusTagged)) {
			images = append(images, img)
		}
	}
	page := pageRequest{registryID: reg.id, repository: repo.name, tagStatus: status}
	offset := 0
	if req.NextToken != nil {
		var ok bool
		if offset, ok = s.tokens.open(*req.NextToken, page); !ok || offset > len(images) {
			return nil, errInvalidParameter("Invalid parameter at 'nextToken' failed to satisfy constraint: 'must be a nextToken from an earlier DescribeImages answer for the same repository and filter'")
		}
	}
	limit := defaultMaxResults
	if req.MaxResults != nil {
		limit = *req.MaxResults
	}
	end := min(offset+limit, len(images))
	for _, img := range images[offset:end] {
		resp.ImageDetails = append(resp.ImageDetails, detail(img))
	}
	if end < len(images) {
		resp.NextToken = s.tokens.seal(page, end)
	}
	return resp, nil
}

func (r createRepositoryRequest) check(v *validator) {
	v.str("registryId", r.RegistryID, false, ruleRegistryID)
	v.str("repositoryName", r.RepositoryName, true, ruleRepositoryName)
}

func (s *Server) createRepository(req *createRepositoryRequest) (*createRepositoryResponse, *apiError) {
	reg := s.state.registry(s.registryID(req.RegistryID), true)
	repo, err := reg.createRepository(*req.RepositoryName, time.Now())
	if err != nil {
		return nil, err
	}
	return &createRepositoryResponse{Repository: wireRepository{
		RepositoryArn:      fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", s.opts.Region, reg.id, repo.name),
		RegistryID:         reg.id,
		RepositoryName:     repo.name,
		RepositoryURI:      fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", reg.id, s.opts.Region, repo.name),
		CreatedAt:          epochSeconds(repo.createdAt),
		ImageTagMutability: string(types.ImageTagMutabilityMutable),
	}}, nil
}

// epochSeconds renders a timestamp as awsJson1_1 does.
func epochSeconds(t time.Time) float64 {
	return float64(t.UnixMilli()) / 1000
}
