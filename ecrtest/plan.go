package ecrtest

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// DefaultFailureCode is the failure code a FAILED destination reports when
// its Plan sets none.
const DefaultFailureCode = "REPLICATION_FAILED"

// Plan scripts how one replication destination of one image proceeds. A
// status starts IN_PROGRESS (or hidden, see HiddenPolls) and reaches Outcome
// when
//
//	(After > 0 && now-push >= After) || (AfterPolls > 0 && polls >= AfterPolls)
//
// that is, whichever of After and AfterPolls comes first; with both zero the
// outcome is reached immediately. polls counts the
// DescribeImageReplicationStatus calls that found the image, including the
// current one. The zero Plan reports COMPLETE from the first poll on.
type Plan struct {
	// Outcome is COMPLETE (the default when empty) or FAILED. IN_PROGRESS
	// means the replication never finishes.
	Outcome types.ReplicationStatus
	// FailureCode is reported with a FAILED outcome. Default:
	// DefaultFailureCode.
	FailureCode string
	// After is how long after the push the outcome is reached. Time is read
	// with time.Now, so it is virtual inside a testing/synctest bubble.
	After time.Duration
	// AfterPolls is the poll on which the outcome is reached.
	AfterPolls int
	// HiddenPolls omits the status from the list for the first HiddenPolls
	// polls (while polls <= HiddenPolls), as when ECR has not yet started
	// replicating.
	HiddenPolls int
}

// DefaultPlan returns the package default plan, used when Options.DefaultPlan
// is zero: every destination reports IN_PROGRESS on the first poll and
// COMPLETE from the second poll on.
func DefaultPlan() Plan {
	return Plan{Outcome: types.ReplicationStatusComplete, AfterPolls: 2}
}

// DestinationPlan scripts one destination of a push: the destination
// identified by Region and RegistryID follows Plan.
type DestinationPlan struct {
	// Region of the destination.
	Region string
	// RegistryID of the destination; "" means the server's own account.
	RegistryID string
	// Plan the destination follows.
	Plan Plan
}

func (p Plan) check() error {
	switch p.Outcome {
	case "", types.ReplicationStatusComplete, types.ReplicationStatusFailed, types.ReplicationStatusInProgress:
	default:
		return fmt.Errorf("ecrtest: invalid plan outcome %q", p.Outcome)
	}
	if p.After < 0 || p.AfterPolls < 0 || p.HiddenPolls < 0 {
		return fmt.Errorf("ecrtest: invalid plan %+v: negative values", p)
	}
	return nil
}

// status computes a destination's status on poll number polls (1-based) at
// time now for an image pushed at pushed; ok is false while it is hidden.
func (p Plan) status(polls int, now, pushed time.Time) (status types.ReplicationStatus, failureCode string, ok bool) {
	if polls <= p.HiddenPolls {
		return "", "", false
	}
	outcome := p.Outcome
	if outcome == "" {
		outcome = types.ReplicationStatusComplete
	}
	reached := (p.After == 0 && p.AfterPolls == 0) ||
		(p.After > 0 && now.Sub(pushed) >= p.After) ||
		(p.AfterPolls > 0 && polls >= p.AfterPolls)
	if !reached || outcome == types.ReplicationStatusInProgress {
		return types.ReplicationStatusInProgress, "", true
	}
	if outcome == types.ReplicationStatusFailed {
		code := p.FailureCode
		if code == "" {
			code = DefaultFailureCode
		}
		return outcome, code, true
	}
	return outcome, "", true
}
