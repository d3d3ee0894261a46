package main

import (
	"context"
	"errors"

	"github.com/ecrkit/ecrreplication"
)

// Exit codes. Pipelines branch on them: they never change meaning.
const (
	exitOK          = 0   // complete (status: the status was read)
	exitFailed      = 1   // replication failed, or no replication rule covers the repository
	exitUsage       = 2   // usage, validation or configuration error; nothing was sent
	exitTimeout     = 3   // timed out before every destination was COMPLETE
	exitNotFound    = 4   // image or repository not found
	exitOther       = 5   // credentials, network, service and other errors
	exitInterrupted = 130 // interrupted (Ctrl-C, SIGTERM)
)

// outcome is how the command ended for an image, or for a document (its
// images' most severe): the documents' "outcome".
type outcome string

// The outcomes. in-progress is status's when not every destination is
// COMPLETE; skipped an image --fail-fast stopped.
const (
	complete    outcome = "complete"
	inProgress  outcome = "in-progress"
	failed      outcome = "failed"
	timedOut    outcome = "timeout"
	notFound    outcome = "not-found"
	otherError  outcome = "error"
	invalid     outcome = "invalid-input"
	interrupted outcome = "interrupted"
	skipped     outcome = "skipped"
)

// outcomeInfo is what every output says of an outcome: its exit code, its
// severity (130 > 2 > 5 > 4 > 3 > 1 > 0; skipped never decides), its order
// in summaries, its word in headlines, its annotation title and icon.
type outcomeInfo struct {
	exitCode, severity, order int
	word, title, icon         string
}

// outcomes is the one table of the outcomes, which every view reads.
var outcomes = map[outcome]outcomeInfo{
	failed:      {exitFailed, 3, 0, "failed", "Replication failed", "❌"},
	timedOut:    {exitTimeout, 4, 1, "timed out", "Timed out", "❌"},
	notFound:    {exitNotFound, 5, 2, "not found", "Not found", "❌"},
	otherError:  {exitOther, 6, 3, "errored", "Error", "❌"},
	invalid:     {exitUsage, 7, 4, "invalid", "Invalid input", "⛔"},
	interrupted: {exitInterrupted, 8, 5, "interrupted", "Interrupted", "🛑"},
	skipped:     {exitOther, 1, 6, "skipped", "Skipped", "❌"},
	inProgress:  {exitOK, 2, 7, "in progress", "In progress", "🔄"},
	complete:    {exitOK, 0, 8, "replicated", "Complete", "✅"},
}

// info is the outcome's row of the table; an unknown one reads as an error.
func (o outcome) info() outcomeInfo {
	if i, ok := outcomes[o]; ok {
		return i
	}
	return outcomes[otherError]
}

// Error codes of the documents' error.code that other code reads; classify
// returns all of them (the schema lists them). They are stable.
const (
	codeReplicationFailed  = "ReplicationFailed"
	codeNoReplicationRule  = "NoReplicationRule"
	codeTimeout            = "Timeout"
	codeImageNotFound      = "ImageNotFound"
	codeRepositoryNotFound = "RepositoryNotFound"
)

// classify returns the outcome and error code of an image's error; once
// parent, the command's context, has ended every error is an interruption.
// A *WaitError is classified by its Cause alone.
func classify(parent context.Context, err error) (outcome, string) {
	var we *ecrreplication.WaitError
	if errors.As(err, &we) && we.Cause != nil {
		err = we.Cause
	}
	is := func(target error) bool { return errors.Is(err, target) }
	switch {
	case err == nil:
		return complete, ""
	case parent.Err() != nil, is(context.Canceled):
		return interrupted, "Interrupted"
	case errors.As(err, new(*configError)), errors.As(err, new(problems)), is(ecrreplication.ErrValidation), is(ecrreplication.ErrInvalidParameter), is(ecrreplication.ErrRegistryMismatch):
		return invalid, "InvalidInput"
	case is(ecrreplication.ErrReplicationFailed):
		return failed, codeReplicationFailed
	case is(ecrreplication.ErrNoReplication):
		return failed, codeNoReplicationRule
	case is(ecrreplication.ErrWaitTimeout):
		return timedOut, codeTimeout
	case is(ecrreplication.ErrImageNotFound):
		return notFound, codeImageNotFound
	case is(ecrreplication.ErrRepositoryNotFound):
		return notFound, codeRepositoryNotFound
	case is(ecrreplication.ErrSkipped):
		return skipped, "Cancelled"
	}
	return otherError, "Error"
}
