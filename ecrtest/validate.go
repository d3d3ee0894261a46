package ecrtest

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Constraints of the ECR model (ecr-2015-09-21), enforced by the server
// itself, and the wording of the answer when one is broken.
//
// ECR reports a broken constraint as InvalidParameterException (HTTP 400)
// naming one member by its own name (not its path) and one constraint:
//
//	Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+...)''
//
// The forms below that are on public record are cited next to them and in
// testdata/wire; the others follow the nearest recorded form and are listed
// as inferred in the package documentation.
const (
	// patternRepositoryName: the model's pattern, shown without anchors as
	// ECR does (jenkins-x/jx#1344, int128/create-ecr-repository-action#231,
	// boto/boto3#3191, hashicorp/terraform-provider-aws#40309).
	patternRepositoryName = `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`
	patternRegistryID     = `[0-9]{12}`
	// patternImageTag is not in the model; ECR enforces it in DescribeImages
	// (datawire/forge#99, alexjurkiewicz/ecr-scan-image#40).
	patternImageTag = `[a-zA-Z0-9-_.]+`
	// patternImageDigest is not in the model; ECR enforces it in
	// DescribeImages (pulumi/pulumi-aws#2466).
	patternImageDigest = `[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+`
	patternRegion      = `[0-9a-z-]{2,25}`
	patternFilterValue = `(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*`

	maxRules              = 10
	maxDestinationsInRule = 100
	maxUniqueDestinations = 25
	maxFilters            = 100
	maxImageIDs           = 100
	maxMediaTypes         = 100
	maxManifestLength     = 4194304
	minMaxResults         = 1
	maxMaxResults         = 1000
)

var (
	reRepositoryName = regexp.MustCompile(`^` + patternRepositoryName + `$`)
	reRegistryID     = regexp.MustCompile(`^` + patternRegistryID + `$`)
	reImageTag       = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
	reImageDigest    = regexp.MustCompile(`^[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+$`)
	reRegion         = regexp.MustCompile(`^` + patternRegion + `$`)
	reFilterValue    = regexp.MustCompile(`^` + patternFilterValue + `$`)
)

// stringRule is the constraints of a string member: its length in
// characters, then its pattern.
type stringRule struct {
	min, max int // lengths; 0 = unconstrained
	re       *regexp.Regexp
	// patternText is the constraint text of a pattern violation.
	patternText string
}

// patternConstraint is ECR's text for a pattern violation, the pattern in
// quotes (jenkins-x/jx#1344, datawire/forge#99, pulumi/pulumi-aws#2466).
func patternConstraint(pattern string) string {
	return "must satisfy regular expression '" + pattern + "'"
}

var (
	ruleRepositoryName = stringRule{min: 2, max: 256, re: reRepositoryName, patternText: patternConstraint(patternRepositoryName)}
	// ruleRegistryID: for the registryId member ECR shows the pattern
	// without quotes (DescribeImages, recorded in the README of
	// icy/gDockerImageCheck).
	ruleRegistryID  = stringRule{re: reRegistryID, patternText: "must satisfy regular expression " + patternRegistryID}
	ruleImageTag    = stringRule{min: 1, max: 300, re: reImageTag, patternText: patternConstraint(patternImageTag)}
	ruleImageDigest = stringRule{re: reImageDigest, patternText: patternConstraint(patternImageDigest)}
	ruleRegion      = stringRule{min: 2, max: 25, re: reRegion, patternText: patternConstraint(patternRegion)}
	ruleFilterValue = stringRule{min: 2, max: 256, re: reFilterValue, patternText: patternConstraint(patternFilterValue)}
	ruleManifest    = stringRule{min: 1, max: maxManifestLength}
)

// violation is one broken constraint of one member.
type violation struct {
	member     string
	constraint string
}

// apiError is the InvalidParameterException for v.
func (v violation) apiError() *apiError {
	return errInvalidParameter("Invalid parameter at '%s' failed to satisfy constraint: '%s'", v.member, v.constraint)
}

// validator finds the first broken constraint of a request: ECR reports one
// violation per answer. Members are checked in the order the operation
// handler names them; that order is ecrtest's (ECR's is not on record).
type validator struct {
	first *violation
}

func (v *validator) add(member, constraint string) {
	if v.first == nil {
		v.first = &violation{member: member, constraint: constraint}
	}
}

// str checks a string member: null (when required), then its length, then
// its pattern.
func (v *validator) str(member string, s *string, required bool, r stringRule) {
	if s == nil {
		if required {
			v.required(member, false)
		}
		return
	}
	n := utf8.RuneCountInString(*s)
	switch {
	case r.min > 0 && n < r.min:
		// aws/aws-dotnet-deploy#549: 'must have length greater than or equal to 2'.
		v.add(member, fmt.Sprintf("must have length greater than or equal to %d", r.min))
	case r.max > 0 && n > r.max:
		v.add(member, fmt.Sprintf("must have length less than or equal to %d", r.max))
	case r.re != nil && !r.re.MatchString(*s):
		v.add(member, r.patternText)
	}
}

// required reports a missing member; the wording is inferred from ECR's list
// constraints ("Member must ...").
func (v *validator) required(member string, present bool) bool {
	if !present {
		v.add(member, "Member must not be null")
	}
	return present
}

// length checks a list member's length, in ECR's words for imageIds
// (trek10inc/ecr-cleaner#8, puemos/aws-lambda-ecr-cleaner#3).
func (v *validator) length(member string, n, min, max int) {
	switch {
	case n < min:
		v.add(member, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	case max > 0 && n > max:
		v.add(member, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

// rangeOf checks an integer member.
func (v *validator) rangeOf(member string, n *int, min, max int) {
	switch {
	case n == nil:
	case *n < min:
		v.add(member, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	case *n > max:
		v.add(member, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

// enum checks an enum member.
func (v *validator) enum(member string, s *string, required bool, values ...string) {
	if s == nil {
		if required {
			v.required(member, false)
		}
		return
	}
	for _, allowed := range values {
		if *s == allowed {
			return
		}
	}
	v.add(member, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

// err returns the InvalidParameterException for the first violation, or nil.
func (v *validator) err() *apiError {
	if v.first == nil {
		return nil
	}
	return v.first.apiError()
}

// imageID checks an image identifier's members (the identifier is known to
// be present). ECR names the leaf member, 'imageTag', even inside the
// imageIds list (datawire/forge#99).
func (v *validator) imageID(id wireImageID) {
	v.str("imageTag", id.ImageTag, false, ruleImageTag)
	v.str("imageDigest", id.ImageDigest, false, ruleImageDigest)
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

// validateReplicationConfiguration checks cfg against the model and then
// against the service's semantic rules.
func validateReplicationConfiguration(cfg *wireReplicationConfiguration, sourceRegion, sourceRegistry string) *apiError {
	var v validator
	if !v.required("replicationConfiguration", cfg != nil) {
		return v.err()
	}
	if !v.required("rules", cfg.Rules != nil) {
		return v.err()
	}
	v.length("rules", len(cfg.Rules), 0, maxRules)
	for _, r := range cfg.Rules {
		if v.required("destinations", r.Destinations != nil) {
			v.length("destinations", len(r.Destinations), 0, maxDestinationsInRule)
		}
		for _, d := range r.Destinations {
			v.str("region", d.Region, true, ruleRegion)
			v.str("registryId", d.RegistryID, true, ruleRegistryID)
		}
		if r.RepositoryFilters != nil {
			v.length("repositoryFilters", len(r.RepositoryFilters), 1, maxFilters)
		}
		for _, f := range r.RepositoryFilters {
			v.str("filter", f.Filter, true, ruleFilterValue)
			v.enum("filterType", f.FilterType, true, "PREFIX_MATCH")
		}
	}
	if err := v.err(); err != nil {
		return err
	}

	unique := make(map[string]bool)
	for _, r := range cfg.Rules {
		if len(r.Destinations) == 0 {
			return errInvalidParameter("Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'Each replication rule must have at least one destination'")
		}
		for _, d := range r.Destinations {
			if *d.Region == sourceRegion && *d.RegistryID == sourceRegistry {
				return errInvalidParameter("Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'Replication destination cannot be the same as the source registry: region '%s' and registry id '%s''", sourceRegion, sourceRegistry)
			}
			unique[*d.Region+"/"+*d.RegistryID] = true
		}
	}
	if len(unique) > maxUniqueDestinations {
		return errInvalidParameter("Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'The replication configuration has %d unique destinations; a maximum of %d unique destinations is allowed across all rules'", len(unique), maxUniqueDestinations)
	}
	return nil
}
