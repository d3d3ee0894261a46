package ecrtest

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// Constraints of the ECR model (ecr-2015-09-21), enforced by the server
// itself. Patterns are shown without anchors in messages, as the service
// does.
const (
	patternRepositoryName = `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`
	patternRegistryID     = `[0-9]{12}`
	patternRegion         = `[0-9a-z-]{2,25}`
	patternFilterValue    = `(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*`

	maxRules              = 10
	maxDestinationsInRule = 100
	maxUniqueDestinations = 25
	maxFilters            = 100
	maxImageIDs           = 100
	maxManifestLength     = 4194304
)

var (
	reRepositoryName = regexp.MustCompile(`^` + patternRepositoryName + `$`)
	reRegistryID     = regexp.MustCompile(`^` + patternRegistryID + `$`)
	reRegion         = regexp.MustCompile(`^` + patternRegion + `$`)
	reFilterValue    = regexp.MustCompile(`^` + patternFilterValue + `$`)
)

// stringRule is the model's constraints for a string member.
type stringRule struct {
	min, max int // lengths; 0 = unconstrained
	re       *regexp.Regexp
	pattern  string
}

var (
	ruleRepositoryName = stringRule{min: 2, max: 256, re: reRepositoryName, pattern: patternRepositoryName}
	ruleRegistryID     = stringRule{re: reRegistryID, pattern: patternRegistryID}
	ruleRegion         = stringRule{min: 2, max: 25, re: reRegion, pattern: patternRegion}
	ruleFilterValue    = stringRule{min: 2, max: 256, re: reFilterValue, pattern: patternFilterValue}
	ruleImageTag       = stringRule{min: 1, max: 300}
	ruleManifest       = stringRule{min: 1, max: maxManifestLength}
	ruleAny            = stringRule{}
)

// validator collects constraint violations in the service's wording.
type validator struct {
	violations []string
}

func (v *validator) add(value, path, constraint string) {
	v.violations = append(v.violations,
		fmt.Sprintf("%s at '%s' failed to satisfy constraint: %s", value, path, constraint))
}

func quoteValue(s string) string { return "Value '" + s + "'" }

func listValue(l any) string {
	b, _ := json.Marshal(l)
	return "Value '" + string(b) + "'"
}

// str checks a string member. At most one violation is reported per member:
// null (when required), then pattern, then length.
func (v *validator) str(path string, s *string, required bool, r stringRule) {
	if s == nil {
		if required {
			v.add("Value null", path, "Member must not be null")
		}
		return
	}
	n := len([]rune(*s))
	switch {
	case r.re != nil && !r.re.MatchString(*s):
		v.add(quoteValue(*s), path, "Member must satisfy regular expression pattern: "+r.pattern)
	case r.min > 0 && n < r.min:
		v.add(quoteValue(*s), path, fmt.Sprintf("Member must have length greater than or equal to %d", r.min))
	case r.max > 0 && n > r.max:
		v.add(quoteValue(*s), path, fmt.Sprintf("Member must have length less than or equal to %d", r.max))
	}
}

// required reports a missing structure or list member.
func (v *validator) required(path string, present bool) bool {
	if !present {
		v.add("Value null", path, "Member must not be null")
	}
	return present
}

// length checks a list member's length.
func (v *validator) length(path string, list any, n, min, max int) {
	switch {
	case n < min:
		v.add(listValue(list), path, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	case max > 0 && n > max:
		v.add(listValue(list), path, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

// enum checks an enum member.
func (v *validator) enum(path string, s *string, required bool, values ...string) {
	if s == nil {
		if required {
			v.add("Value null", path, "Member must not be null")
		}
		return
	}
	for _, allowed := range values {
		if *s == allowed {
			return
		}
	}
	v.add(quoteValue(*s), path, fmt.Sprintf("Member must satisfy enum value set: %v", values))
}

// err returns the ValidationException for the collected violations, or nil.
func (v *validator) err() *apiError {
	if len(v.violations) == 0 {
		return nil
	}
	return errValidation(v.violations)
}

// validateImageID checks an imageId member (already known to be present).
func (v *validator) imageID(path string, id wireImageID) {
	v.str(path+".imageTag", id.ImageTag, false, ruleImageTag)
	v.str(path+".imageDigest", id.ImageDigest, false, ruleAny)
}

// validateReplicationConfiguration checks cfg against the model and then
// against the service's semantic rules (InvalidParameterException).
func validateReplicationConfiguration(cfg *wireReplicationConfiguration, sourceRegion, sourceRegistry string) *apiError {
	var v validator
	const root = "replicationConfiguration"
	if !v.required(root, cfg != nil) {
		return v.err()
	}
	if !v.required(root+".rules", cfg.Rules != nil) {
		return v.err()
	}
	v.length(root+".rules", cfg.Rules, len(cfg.Rules), 0, maxRules)
	for i, r := range cfg.Rules {
		rp := fmt.Sprintf("%s.rules.%d.member", root, i+1)
		if v.required(rp+".destinations", r.Destinations != nil) {
			v.length(rp+".destinations", r.Destinations, len(r.Destinations), 0, maxDestinationsInRule)
		}
		for j, d := range r.Destinations {
			dp := fmt.Sprintf("%s.destinations.%d.member", rp, j+1)
			v.str(dp+".region", d.Region, true, ruleRegion)
			v.str(dp+".registryId", d.RegistryID, true, ruleRegistryID)
		}
		if r.RepositoryFilters != nil {
			v.length(rp+".repositoryFilters", r.RepositoryFilters, len(r.RepositoryFilters), 1, maxFilters)
		}
		for j, f := range r.RepositoryFilters {
			fp := fmt.Sprintf("%s.repositoryFilters.%d.member", rp, j+1)
			v.str(fp+".filter", f.Filter, true, ruleFilterValue)
			v.enum(fp+".filterType", f.FilterType, true, "PREFIX_MATCH")
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
