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

// outcome is how the command ended for an image, or for a document (the
// most severe of its images'): the JSON documents' "outcome".
type outcome string

// The outcomes.
const (
	complete    outcome = "complete"
	inProgress  outcome = "in-progress" // status only: read, not every destination COMPLETE
	failed      outcome = "failed"
	timedOut    outcome = "timeout"
	notFound    outcome = "not-found"
	otherError  outcome = "error"
	invalid     outcome = "invalid-input"
	interrupted outcome = "interrupted"
	skipped     outcome = "skipped" // --fail-fast stopped the image's wait
)

// outcomeInfo is what every output says of an outcome.
type outcomeInfo struct {
	// exitCode is the outcome's exit code. status exits 0 whenever it read
	// the status; a skipped image has the exit code of the image that
	// stopped the set.
	exitCode int
	// severity orders outcomes as their exit codes: 130 > 2 > 5 > 4 > 3 >
	// 1 > 0. A skipped image never decides: the failing one does.
	severity int
	// order is the place of the outcome's images in summaries and tables:
	// problems first.
	order int
	// word names the outcome in headlines and counts ("1 timed out");
	// title in annotations; icon heads the verdict; mark is the progress's.
	word, title, icon, mark string
}

// outcomes is the one table of the outcomes: the text, Markdown, annotations,
// EMF, progress and the step outputs of render all read it.
var outcomes = map[outcome]outcomeInfo{
	failed:      {exitFailed, 3, 0, "failed", "Replication failed", "❌", "✗"},
	timedOut:    {exitTimeout, 4, 1, "timed out", "Timed out", "❌", "✗"},
	notFound:    {exitNotFound, 5, 2, "not found", "Not found", "❌", "✗"},
	otherError:  {exitOther, 6, 3, "errored", "Error", "❌", "✗"},
	invalid:     {exitUsage, 7, 4, "invalid", "Invalid input", "⛔", "✗"},
	interrupted: {exitInterrupted, 8, 5, "interrupted", "Interrupted", "🛑", "✗"},
	skipped:     {exitOther, 1, 6, "skipped", "Skipped", "❌", "✗"},
	inProgress:  {exitOK, 2, 7, "in progress", "In progress", "🔄", "…"},
	complete:    {exitOK, 0, 8, "replicated", "Complete", "✅", "✓"},
}

// info is the outcome's row of the table; an unknown outcome reads as an
// error.
func (o outcome) info() outcomeInfo {
	if i, ok := outcomes[o]; ok {
		return i
	}
	return outcomes[otherError]
}

// Error codes of the JSON documents' error.code. They are stable.
const (
	codeReplicationFailed  = "ReplicationFailed"
	codeNoReplicationRule  = "NoReplicationRule"
	codeInvalidInput       = "InvalidInput"
	codeTimeout            = "Timeout"
	codeImageNotFound      = "ImageNotFound"
	codeRepositoryNotFound = "RepositoryNotFound"
	codeInterrupted        = "Interrupted"
	codeCancelled          = "Cancelled"
	codeError              = "Error"
)

// classify returns the outcome and error code of err, an image's error.
// parent is the command's context: once it has ended, every error is an
// interruption. A *WaitError is classified by its Cause alone.
func classify(parent context.Context, err error) (outcome, string) {
	var we *ecrreplication.WaitError
	if errors.As(err, &we) && we.Cause != nil {
		err = we.Cause
	}
	var ce *configError
	switch {
	case err == nil:
		return complete, ""
	case parent.Err() != nil, errors.Is(err, context.Canceled):
		return interrupted, codeInterrupted
	case errors.As(err, &ce), errors.As(err, new(problems)), errors.Is(err, ecrreplication.ErrValidation), errors.Is(err, ecrreplication.ErrInvalidParameter),
		errors.Is(err, ecrreplication.ErrRegistryMismatch):
		return invalid, codeInvalidInput
	case errors.Is(err, ecrreplication.ErrReplicationFailed):
		return failed, codeReplicationFailed
	case errors.Is(err, ecrreplication.ErrNoReplication):
		return failed, codeNoReplicationRule
	case errors.Is(err, ecrreplication.ErrWaitTimeout):
		return timedOut, codeTimeout
	case errors.Is(err, ecrreplication.ErrImageNotFound):
		return notFound, codeImageNotFound
	case errors.Is(err, ecrreplication.ErrRepositoryNotFound):
		return notFound, codeRepositoryNotFound
	case errors.Is(err, ecrreplication.ErrSkipped):
		return skipped, codeCancelled
	}
	return otherError, codeError
}
