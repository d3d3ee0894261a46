package ecrreplication

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// DescribeRegistryAPIClient is the one method of *ecr.Client that reading a
// registry's replication configuration needs.
type DescribeRegistryAPIClient interface {
	DescribeRegistry(context.Context, *ecr.DescribeRegistryInput, ...func(*ecr.Options)) (*ecr.DescribeRegistryOutput, error)
}

var _ DescribeRegistryAPIClient = (*ecr.Client)(nil)

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
