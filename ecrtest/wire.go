package ecrtest

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// JSON shapes of the operations the server implements, with the service's
// member names. Pointers distinguish absent members from empty ones.

type wireImageID struct {
	ImageDigest *string `json:"imageDigest,omitempty"`
	ImageTag    *string `json:"imageTag,omitempty"`
}

// describe renders id the way ECR does in error messages.
func (id wireImageID) describe() string {
	q := func(p *string) string {
		if p == nil {
			return "'null'"
		}
		return "'" + echo(*p) + "'"
	}
	return "{imageDigest:" + q(id.ImageDigest) + ", imageTag:" + q(id.ImageTag) + "}"
}

type describeImageReplicationStatusRequest struct {
	RepositoryName *string      `json:"repositoryName"`
	ImageID        *wireImageID `json:"imageId"`
	RegistryID     *string      `json:"registryId"`
}

// input converts the request to the SDK's input type for the call log.
func (r describeImageReplicationStatusRequest) input() *ecr.DescribeImageReplicationStatusInput {
	in := &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: r.RepositoryName,
		RegistryId:     r.RegistryID,
	}
	if r.ImageID != nil {
		in.ImageId = &types.ImageIdentifier{ImageDigest: r.ImageID.ImageDigest, ImageTag: r.ImageID.ImageTag}
	}
	return in
}

type wireReplicationStatus struct {
	Region      string `json:"region"`
	RegistryID  string `json:"registryId"`
	Status      string `json:"status"`
	FailureCode string `json:"failureCode,omitempty"`
}

type describeImageReplicationStatusResponse struct {
	RepositoryName      string                  `json:"repositoryName"`
	ImageID             wireImageID             `json:"imageId"`
	ReplicationStatuses []wireReplicationStatus `json:"replicationStatuses"`
}

type wireDestination struct {
	Region     *string `json:"region"`
	RegistryID *string `json:"registryId"`
}

type wireFilter struct {
	Filter     *string `json:"filter"`
	FilterType *string `json:"filterType"`
}

type wireRule struct {
	Destinations      []wireDestination `json:"destinations"`
	RepositoryFilters []wireFilter      `json:"repositoryFilters,omitempty"`
}

type wireReplicationConfiguration struct {
	Rules []wireRule `json:"rules"`
}

// toWireConfig converts an SDK replication configuration to its wire shape.
func toWireConfig(cfg types.ReplicationConfiguration) *wireReplicationConfiguration {
	w := &wireReplicationConfiguration{Rules: []wireRule{}}
	if cfg.Rules == nil {
		w.Rules = nil
	}
	for _, r := range cfg.Rules {
		var wr wireRule
		if r.Destinations != nil {
			wr.Destinations = []wireDestination{}
		}
		for _, d := range r.Destinations {
			wr.Destinations = append(wr.Destinations, wireDestination{Region: d.Region, RegistryID: d.RegistryId})
		}
		if r.RepositoryFilters != nil {
			wr.RepositoryFilters = []wireFilter{}
		}
		for _, f := range r.RepositoryFilters {
			var ft *string
			if f.FilterType != "" {
				ft = aws.String(string(f.FilterType))
			}
			wr.RepositoryFilters = append(wr.RepositoryFilters, wireFilter{Filter: f.Filter, FilterType: ft})
		}
		w.Rules = append(w.Rules, wr)
	}
	return w
}

type putReplicationConfigurationRequest struct {
	ReplicationConfiguration *wireReplicationConfiguration `json:"replicationConfiguration"`
}

type putReplicationConfigurationResponse struct {
	ReplicationConfiguration *wireReplicationConfiguration `json:"replicationConfiguration"`
}

type describeRegistryRequest struct{}

type describeRegistryResponse struct {
	RegistryID               string                        `json:"registryId"`
	ReplicationConfiguration *wireReplicationConfiguration `json:"replicationConfiguration"`
}

type putImageRequest struct {
	RegistryID             *string `json:"registryId"`
	RepositoryName         *string `json:"repositoryName"`
	ImageManifest          *string `json:"imageManifest"`
	ImageManifestMediaType *string `json:"imageManifestMediaType"`
	ImageTag               *string `json:"imageTag"`
	ImageDigest            *string `json:"imageDigest"`
}

type wireImage struct {
	RegistryID             string      `json:"registryId"`
	RepositoryName         string      `json:"repositoryName"`
	ImageID                wireImageID `json:"imageId"`
	ImageManifest          string      `json:"imageManifest,omitempty"`
	ImageManifestMediaType string      `json:"imageManifestMediaType,omitempty"`
}

type putImageResponse struct {
	Image wireImage `json:"image"`
}

type batchGetImageRequest struct {
	RegistryID         *string       `json:"registryId"`
	RepositoryName     *string       `json:"repositoryName"`
	ImageIDs           []wireImageID `json:"imageIds"`
	AcceptedMediaTypes []string      `json:"acceptedMediaTypes"`
}

type wireImageFailure struct {
	ImageID       wireImageID `json:"imageId"`
	FailureCode   string      `json:"failureCode"`
	FailureReason string      `json:"failureReason"`
}

type batchGetImageResponse struct {
	Images   []wireImage        `json:"images"`
	Failures []wireImageFailure `json:"failures"`
}

type describeImagesFilter struct {
	TagStatus *string `json:"tagStatus"`
}

type describeImagesRequest struct {
	RegistryID     *string               `json:"registryId"`
	RepositoryName *string               `json:"repositoryName"`
	ImageIDs       []wireImageID         `json:"imageIds"`
	NextToken      *string               `json:"nextToken"`
	MaxResults     *int                  `json:"maxResults"`
	Filter         *describeImagesFilter `json:"filter"`
}

type wireImageDetail struct {
	RegistryID             string   `json:"registryId"`
	RepositoryName         string   `json:"repositoryName"`
	ImageDigest            string   `json:"imageDigest"`
	ImageTags              []string `json:"imageTags,omitempty"`
	ImageSizeInBytes       int64    `json:"imageSizeInBytes"`
	ImagePushedAt          float64  `json:"imagePushedAt"`
	ImageManifestMediaType string   `json:"imageManifestMediaType,omitempty"`
}

type describeImagesResponse struct {
	ImageDetails []wireImageDetail `json:"imageDetails"`
	NextToken    string            `json:"nextToken,omitempty"`
}

type createRepositoryRequest struct {
	RegistryID     *string `json:"registryId"`
	RepositoryName *string `json:"repositoryName"`
}

type wireRepository struct {
	RepositoryArn      string  `json:"repositoryArn"`
	RegistryID         string  `json:"registryId"`
	RepositoryName     string  `json:"repositoryName"`
	RepositoryURI      string  `json:"repositoryUri"`
	CreatedAt          float64 `json:"createdAt"`
	ImageTagMutability string  `json:"imageTagMutability"`
}

type createRepositoryResponse struct {
	Repository wireRepository `json:"repository"`
}
