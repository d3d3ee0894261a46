package ecrtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

const defaultMediaType = "application/vnd.oci.image.manifest.v1+json"

// state is the simulated ECR data: registries keyed by account ID. It is
// guarded by Server.mu.
type state struct {
	account    string
	region     string
	registries map[string]*registry
	pushes     int
}

type registry struct {
	id     string
	repos  map[string]*repository
	config *wireReplicationConfiguration // never nil
}

type repository struct {
	name      string
	createdAt time.Time
	images    []*image          // in push order
	tags      map[string]string // tag -> digest
}

type image struct {
	digest    string
	manifest  string
	mediaType string
	pushedAt  time.Time
	polls     int
	dests     []*destination
}

type destination struct {
	region     string
	registryID string
	plan       Plan
}

func destinationKey(region, registryID string) string { return region + "/" + registryID }

func newState(account, region string) *state {
	st := &state{account: account, region: region, registries: make(map[string]*registry)}
	st.registry(account, true)
	return st
}

// registry returns the registry of account id, creating it if create is set.
func (st *state) registry(id string, create bool) *registry {
	r := st.registries[id]
	if r == nil && create {
		r = &registry{
			id:     id,
			repos:  make(map[string]*repository),
			config: &wireReplicationConfiguration{Rules: []wireRule{}},
		}
		st.registries[id] = r
	}
	return r
}

func (r *registry) createRepository(name string, now time.Time) (*repository, *apiError) {
	if _, ok := r.repos[name]; ok {
		return nil, errRepositoryExists(r.id, name)
	}
	repo := &repository{name: name, createdAt: now, tags: make(map[string]string)}
	r.repos[name] = repo
	return repo, nil
}

// destinations returns the de-duplicated destinations of every rule of r's
// replication configuration that matches repository name, in order.
func (r *registry) destinations(name string) []*destination {
	var out []*destination
	seen := make(map[string]bool)
	for _, rule := range r.config.Rules {
		if !ruleMatches(rule, name) {
			continue
		}
		for _, d := range rule.Destinations {
			key := destinationKey(*d.Region, *d.RegistryID)
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, &destination{region: *d.Region, registryID: *d.RegistryID})
		}
	}
	return out
}

func ruleMatches(rule wireRule, name string) bool {
	if len(rule.RepositoryFilters) == 0 {
		return true
	}
	for _, f := range rule.RepositoryFilters {
		if f.FilterType != nil && *f.FilterType == string(types.RepositoryFilterTypePrefixMatch) &&
			f.Filter != nil && strings.HasPrefix(name, *f.Filter) {
			return true
		}
	}
	return false
}

func (repo *repository) imageByDigest(digest string) *image {
	for _, img := range repo.images {
		if img.digest == digest {
			return img
		}
	}
	return nil
}

// find resolves an image identifier: the digest and the tag, when both are
// given, must name the same image.
func (repo *repository) find(id wireImageID) *image {
	var img *image
	switch {
	case id.ImageDigest != nil:
		img = repo.imageByDigest(*id.ImageDigest)
		if img != nil && id.ImageTag != nil && repo.tags[*id.ImageTag] != img.digest {
			return nil
		}
	case id.ImageTag != nil:
		if d, ok := repo.tags[*id.ImageTag]; ok {
			img = repo.imageByDigest(d)
		}
	}
	return img
}

// tagsOf returns the sorted tags pointing at digest.
func (repo *repository) tagsOf(digest string) []string {
	var tags []string
	for t, d := range repo.tags {
		if d == digest {
			tags = append(tags, t)
		}
	}
	sort.Strings(tags)
	return tags
}

// addImage stores a new image and starts its replication to every matching
// destination of reg, each following planFor's plan.
func (repo *repository) addImage(reg *registry, digest, manifest, mediaType string, now time.Time, planFor func(*destination) Plan) *image {
	img := &image{digest: digest, manifest: manifest, mediaType: mediaType, pushedAt: now}
	for _, d := range reg.destinations(repo.name) {
		d.plan = planFor(d)
		img.dests = append(img.dests, d)
	}
	repo.images = append(repo.images, img)
	return img
}

// poll counts one DescribeImageReplicationStatus call for img and returns
// the statuses visible on it.
func (img *image) poll(now time.Time) []wireReplicationStatus {
	img.polls++
	out := []wireReplicationStatus{}
	for _, d := range img.dests {
		status, code, ok := d.plan.status(img.polls, now, img.pushedAt)
		if !ok {
			continue
		}
		out = append(out, wireReplicationStatus{Region: d.region, RegistryID: d.registryID, Status: string(status), FailureCode: code})
	}
	return out
}

func digestOf(manifest string) string {
	sum := sha256.Sum256([]byte(manifest))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// CreateRepository creates a repository in the default registry. It returns
// *types.InvalidParameterException for an invalid name and
// *types.RepositoryAlreadyExistsException if it exists.
func (s *Server) CreateRepository(name string) error {
	return s.CreateRepositoryIn(s.opts.AccountID, name)
}

// CreateRepositoryIn creates a repository in the registry of account
// registryID, which becomes known to the server if it was not.
func (s *Server) CreateRepositoryIn(registryID, name string) error {
	_, err := call(s, &createRepositoryRequest{RegistryID: &registryID, RepositoryName: &name}, (*Server).createRepository)
	return err.sdkError()
}

// PutReplicationConfiguration sets the default registry's replication
// configuration, with the same checks as the wire operation: it returns
// *types.InvalidParameterException when cfg
// breaks the model's constraints or ECR's limits (10 rules, 25 unique
// destinations, no destination equal to the source registry). Images pushed
// earlier keep their replication statuses.
func (s *Server) PutReplicationConfiguration(cfg types.ReplicationConfiguration) error {
	_, err := call(s, &putReplicationConfigurationRequest{ReplicationConfiguration: toWireConfig(cfg)}, (*Server).putReplicationConfiguration)
	return err.sdkError()
}

// PushImage creates (if needed) the repository in the default registry and
// a new image in it with a derived digest, tags it with tag unless tag is ""
// (moving the tag if it exists) and starts replication to every matching
// destination. Destinations listed in plans follow their plan; the others
// follow Options.DefaultPlan. A plan for a destination that no rule matches
// is an error. PushImage returns the image digest.
func (s *Server) PushImage(repository, tag string, plans ...DestinationPlan) (digest string, err error) {
	return s.PushImageIn(s.opts.AccountID, repository, tag, plans...)
}

// PushImageIn is PushImage for the registry of account registryID, which
// becomes known to the server if it was not. Replication follows that
// registry's configuration (only the default registry's can be set).
func (s *Server) PushImageIn(registryID, repository, tag string, plans ...DestinationPlan) (digest string, err error) {
	var v validator
	v.str("registryId", &registryID, true, ruleRegistryID)
	v.str("repositoryName", &repository, true, ruleRepositoryName)
	if tag != "" {
		v.str("imageTag", &tag, false, ruleImageTag)
	}
	if err := v.err(); err != nil {
		return "", err.sdkError()
	}
	byKey := make(map[string]Plan, len(plans))
	for _, p := range plans {
		if err := p.Plan.check(); err != nil {
			return "", err
		}
		reg := p.RegistryID
		if reg == "" {
			reg = s.opts.AccountID
		}
		byKey[destinationKey(p.Region, reg)] = p.Plan
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	reg := s.state.registry(registryID, true)
	matched := make(map[string]bool)
	for _, d := range reg.destinations(repository) {
		matched[destinationKey(d.region, d.registryID)] = true
	}
	for key := range byKey {
		if !matched[key] {
			return "", fmt.Errorf("ecrtest: plan for destination %s, which no replication rule of registry %s matches for repository %q", key, registryID, repository)
		}
	}
	repo := reg.repos[repository]
	if repo == nil {
		repo, _ = reg.createRepository(repository, now)
	}
	s.state.pushes++
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":%q,"size":2},"layers":[],"annotations":{"org.opencontainers.image.ref.name":%q}}`,
		defaultMediaType, digestOf(fmt.Sprintf("ecrtest push %d", s.state.pushes)), fmt.Sprintf("%s:%s#%d", repository, tag, s.state.pushes))
	digest = digestOf(manifest)
	repo.addImage(reg, digest, manifest, defaultMediaType, now, func(d *destination) Plan {
		if p, ok := byKey[destinationKey(d.region, d.registryID)]; ok {
			return p
		}
		return s.opts.DefaultPlan
	})
	if tag != "" {
		repo.tags[tag] = digest
	}
	return digest, nil
}

// TagImage points tag at the image with digest in repository of the default
// registry, moving the tag if it already exists. It returns
// *types.RepositoryNotFoundException or *types.ImageNotFoundException when
// either is missing.
func (s *Server) TagImage(repository, tag, digest string) error {
	var v validator
	v.str("repositoryName", &repository, true, ruleRepositoryName)
	v.str("imageTag", &tag, true, ruleImageTag)
	if err := v.err(); err != nil {
		return err.sdkError()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	reg := s.state.registry(s.opts.AccountID, true)
	repo := reg.repos[repository]
	if repo == nil {
		return errRepositoryNotFound(reg.id, repository).sdkError()
	}
	if repo.imageByDigest(digest) == nil {
		return errImageNotFound(reg.id, repository, wireImageID{ImageDigest: aws.String(digest)}).sdkError()
	}
	repo.tags[tag] = digest
	return nil
}

// PollCount returns how many DescribeImageReplicationStatus calls found the
// image with digest in repository of the default registry (0 if unknown).
func (s *Server) PollCount(repository, digest string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.state.registry(s.opts.AccountID, true).repos[repository]
	if repo == nil {
		return 0
	}
	if img := repo.imageByDigest(digest); img != nil {
		return img.polls
	}
	return 0
}
