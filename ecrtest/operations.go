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

// operation handles one decoded-body request and returns the response value
// or the error to send.
type operation func(s *Server, body []byte) (any, *apiError)

var operations = map[string]operation{
	OpDescribeImageReplicationStatus: (*Server).describeImageReplicationStatus,
	OpDescribeRegistry:               (*Server).describeRegistry,
	OpPutReplicationConfiguration:    (*Server).putReplicationConfigurationOp,
	OpPutImage:                       (*Server).putImage,
	OpBatchGetImage:                  (*Server).batchGetImage,
	OpDescribeImages:                 (*Server).describeImages,
	OpCreateRepository:               (*Server).createRepository,
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

func (s *Server) describeImageReplicationStatus(body []byte) (any, *apiError) {
	var req describeImageReplicationStatusRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	// ECR's answers for DescribeImageReplicationStatus are not on record:
	// the members are checked as DescribeImages checks the same members
	// (see validate.go), in this order.
	var v validator
	v.str("registryId", req.RegistryID, false, ruleRegistryID)
	v.str("repositoryName", req.RepositoryName, true, ruleRepositoryName)
	if v.required("imageId", req.ImageID != nil) {
		v.imageID(*req.ImageID)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if req.ImageID.ImageDigest == nil && req.ImageID.ImageTag == nil {
		return nil, errInvalidParameter("Invalid parameter at 'imageId' failed to satisfy constraint: 'Either imageTag or imageDigest must be specified'")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	reg, repo, err := s.repository(req.RegistryID, *req.RepositoryName)
	if err != nil {
		return nil, err
	}
	img := repo.find(*req.ImageID)
	if img == nil {
		return nil, errImageNotFound(reg.id, repo.name, *req.ImageID)
	}
	return describeImageReplicationStatusResponse{
		RepositoryName:      repo.name,
		ImageID:             wireImageID{ImageDigest: aws.String(img.digest), ImageTag: req.ImageID.ImageTag},
		ReplicationStatuses: img.poll(time.Now()),
	}, nil
}

func (s *Server) describeRegistry(body []byte) (any, *apiError) {
	var req struct{}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	reg := s.state.registry(s.opts.AccountID, true)
	return describeRegistryResponse{RegistryID: reg.id, ReplicationConfiguration: reg.config}, nil
}

func (s *Server) putReplicationConfigurationOp(body []byte) (any, *apiError) {
	var req putReplicationConfigurationRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if err := s.putReplicationConfiguration(req.ReplicationConfiguration); err != nil {
		return nil, err
	}
	return putReplicationConfigurationResponse(req), nil
}

func (s *Server) putImage(body []byte) (any, *apiError) {
	var req putImageRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	var v validator
	v.str("registryId", req.RegistryID, false, ruleRegistryID)
	v.str("repositoryName", req.RepositoryName, true, ruleRepositoryName)
	v.str("imageManifest", req.ImageManifest, true, ruleManifest)
	v.str("imageTag", req.ImageTag, false, ruleImageTag)
	v.str("imageDigest", req.ImageDigest, false, ruleImageDigest)
	if err := v.err(); err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
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
	return putImageResponse{Image: wireImage{
		RegistryID:             reg.id,
		RepositoryName:         repo.name,
		ImageID:                wireImageID{ImageDigest: aws.String(img.digest), ImageTag: req.ImageTag},
		ImageManifest:          img.manifest,
		ImageManifestMediaType: img.mediaType,
	}}, nil
}

// imageIDs checks the length of a list of image identifiers; the members of
// each identifier are checked by the operation.
func (v *validator) imageIDs(ids []wireImageID, required bool) {
	if ids == nil {
		if required {
			v.required("imageIds", false)
		}
		return
	}
	v.length("imageIds", len(ids), 1, maxImageIDs)
}

func (s *Server) batchGetImage(body []byte) (any, *apiError) {
	var req batchGetImageRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	var v validator
	v.str("registryId", req.RegistryID, false, ruleRegistryID)
	v.str("repositoryName", req.RepositoryName, true, ruleRepositoryName)
	v.imageIDs(req.ImageIDs, true)
	if req.AcceptedMediaTypes != nil {
		v.length("acceptedMediaTypes", len(req.AcceptedMediaTypes), 1, maxMediaTypes)
	}
	if err := v.err(); err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	reg, repo, err := s.repository(req.RegistryID, *req.RepositoryName)
	if err != nil {
		return nil, err
	}
	resp := batchGetImageResponse{Images: []wireImage{}, Failures: []wireImageFailure{}}
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

func (s *Server) describeImages(body []byte) (any, *apiError) {
	var req describeImagesRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	var v validator
	v.str("registryId", req.RegistryID, false, ruleRegistryID)
	v.str("repositoryName", req.RepositoryName, true, ruleRepositoryName)
	v.imageIDs(req.ImageIDs, false)
	for _, id := range req.ImageIDs {
		v.imageID(id)
	}
	v.rangeOf("maxResults", req.MaxResults, minMaxResults, maxMaxResults)
	if req.Filter != nil {
		v.enum("tagStatus", req.Filter.TagStatus, false, string(types.TagStatusTagged), string(types.TagStatusUntagged), string(types.TagStatusAny))
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	// The API reference: maxResults and nextToken "cannot be used when you
	// specify images with imageIds". ECR's wording is not on record.
	if req.ImageIDs != nil && (req.MaxResults != nil || req.NextToken != nil) {
		member := "maxResults"
		if req.MaxResults == nil {
			member = "nextToken"
		}
		return nil, errInvalidParameter("Invalid parameter at '%s' failed to satisfy constraint: 'cannot be used together with imageIds'", member)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	reg, repo, err := s.repository(req.RegistryID, *req.RepositoryName)
	if err != nil {
		return nil, err
	}
	resp := describeImagesResponse{ImageDetails: []wireImageDetail{}}
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

func (s *Server) createRepository(body []byte) (any, *apiError) {
	var req createRepositoryRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	var v validator
	v.str("registryId", req.RegistryID, false, ruleRegistryID)
	v.str("repositoryName", req.RepositoryName, true, ruleRepositoryName)
	if err := v.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	reg := s.state.registry(s.registryID(req.RegistryID), true)
	repo, err := reg.createRepository(*req.RepositoryName, time.Now())
	if err != nil {
		return nil, err
	}
	return createRepositoryResponse{Repository: wireRepository{
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
