package ecrreplication

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// ExpectedDestinations returns the destinations that a registry's replication
// configuration sends images of repository to: the destinations of every rule
// whose repository filters match (a rule without filters matches every
// repository; a PREFIX_MATCH filter matches names that start with its value).
// Duplicates are removed and the result is sorted by region, then registry
// ID, like Report.Destinations. A nil configuration expects nothing.
func ExpectedDestinations(cfg *types.ReplicationConfiguration, repository string) []Destination {
	if cfg == nil {
		return nil
	}
	var ds []Destination
	for _, rule := range cfg.Rules {
		if !ruleMatches(rule, repository) {
			continue
		}
		for _, d := range rule.Destinations {
			ds = append(ds, Destination{Region: deref(d.Region), RegistryID: deref(d.RegistryId)})
		}
	}
	sortDestinations(ds)
	return slices.Compact(ds)
}

func ruleMatches(rule types.ReplicationRule, repository string) bool {
	if len(rule.RepositoryFilters) == 0 {
		return true
	}
	for _, f := range rule.RepositoryFilters {
		if f.FilterType == types.RepositoryFilterTypePrefixMatch && strings.HasPrefix(repository, deref(f.Filter)) {
			return true
		}
	}
	return false
}

// describeRegistry reads the caller's registry's replication configuration,
// bounded by timeout.
func describeRegistry(ctx context.Context, client DescribeRegistryAPIClient, timeout time.Duration, optFns []func(*ecr.Options)) (*ecr.DescribeRegistryOutput, error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := client.DescribeRegistry(actx, &ecr.DescribeRegistryInput{}, append(optFns[:len(optFns):len(optFns)], capResponses)...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, fmt.Errorf("reading the registry's replication configuration: %w", MapError(err))
	}
	return out, nil
}

// expectedFrom returns the destinations a registry's replication
// configuration expects for the image of params, after checking that it is
// the configuration of the image's registry.
func expectedFrom(out *ecr.DescribeRegistryOutput, params *ecr.DescribeImageReplicationStatusInput) ([]Destination, error) {
	if out == nil {
		out = &ecr.DescribeRegistryOutput{}
	}
	described, want := deref(out.RegistryId), deref(params.RegistryId)
	if want != "" && described != "" && want != described {
		return nil, fmt.Errorf("%w: Registry describes registry %s, but the image is in registry %s; DescribeRegistry describes only the caller's own registry: name the destinations with Destinations instead",
			ErrRegistryMismatch, word(described), word(want))
	}
	expected := ExpectedDestinations(out.ReplicationConfiguration, *params.RepositoryName)
	if len(expected) == 0 {
		return nil, fmt.Errorf("%w: no rule of registry %s replicates %s", ErrNoReplication, word(described), quote(*params.RepositoryName))
	}
	return expected, nil
}
