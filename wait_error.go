package ecrreplication

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// Why a wait ended without success. Compare with errors.Is on the error that
// Wait returns.
var (
	// ErrReplicationFailed: at least one destination that must complete
	// reported FAILED.
	ErrReplicationFailed = errors.New("ecrreplication: replication failed")
	// ErrWaitTimeout: the maximum wait time ran out before every destination
	// was COMPLETE.
	ErrWaitTimeout = errors.New("ecrreplication: timed out waiting for replication")
	// ErrNoReplication: the registry's replication configuration has no rule
	// that matches the repository, so the image will never be replicated.
	ErrNoReplication = errors.New("ecrreplication: no replication rule matches the repository")
	// ErrRegistryMismatch: the waiter's Registry describes another registry
	// than the image's, so its replication rules say nothing of the image.
	ErrRegistryMismatch = errors.New("ecrreplication: the registry described is not the image's")
	// ErrSkipped: WaitAll with FailFast stopped waiting for this image
	// because another image could not complete (see SkippedError).
	ErrSkipped = errors.New("ecrreplication: skipped after another image failed")
)

// SkippedError is the Cause of the *WaitError of an image that WaitAll's
// FailFast stopped waiting for. It matches ErrSkipped, and only ErrSkipped:
// the failure belongs to the other image, whose error is in Err.
type SkippedError struct {
	// Index is the other image's index in WaitAll's input.
	Index int
	// Err is the other image's error.
	Err error
}

// Error says which image's failure stopped the wait.
func (e *SkippedError) Error() string {
	if e == nil {
		return "ecrreplication: skipped"
	}
	return fmt.Sprintf("skipped after image %d could not complete", e.Index+1)
}

// Is reports whether target is ErrSkipped.
func (e *SkippedError) Is(target error) bool { return target == ErrSkipped }

// WaitError is the error of a wait that did not end in success. Both the
// reason (Cause) and the error of the last poll (LastErr) answer errors.Is
// and errors.As.
type WaitError struct {
	// Cause is why the wait ended: ErrReplicationFailed, ErrWaitTimeout,
	// ErrNoReplication, ErrRegistryMismatch, a *SkippedError, the caller's
	// context error, or a service or connection error that retrying cannot
	// mend (such as one matching ErrImageNotFound).
	Cause error
	// LastErr is the error of the last poll, if that poll failed; nil when
	// it was answered.
	LastErr error
	// Last is the final report: the last answer's destinations with the
	// wait's expectations, attempts and time taken. Destinations that are
	// expected but not listed have an empty Status.
	Last *Report
	// Attempts counts the DescribeImageReplicationStatus calls made.
	Attempts int
	// Elapsed is how long the wait took.
	Elapsed time.Duration

	// limit is the wait's maxWaitDur and minDelay its MinDelay, when the
	// waiter made the error; noRoom says that it ended before its limit
	// because no further poll fitted.
	limit, minDelay time.Duration
	noRoom          bool
}

// Error names the image, why the wait ended (the failed or pending
// destinations, or that no poll succeeded), the attempts and time spent, and
// the last poll's error. It is one line with no control characters,
// whatever the service or the caller sent.
func (e *WaitError) Error() string {
	if e == nil {
		return "ecrreplication: wait failed"
	}
	var b strings.Builder
	b.WriteString("ecrreplication: waiting for ")
	b.WriteString(e.Last.Name())
	b.WriteString(": ")
	answered := e.Last != nil && e.Last.Answers > 0
	switch {
	case e.Cause == nil:
		b.WriteString("failed")
	case errors.Is(e.Cause, ErrReplicationFailed):
		b.WriteString("replication failed to ")
		writeDestinations(&b, e.Last.Failed())
	case errors.Is(e.Cause, ErrWaitTimeout):
		fmt.Fprintf(&b, "timed out after %v", e.Elapsed.Round(time.Millisecond))
		e.writeNoRoom(&b)
		switch {
		case e.Attempts == 0:
			b.WriteString(" before the first poll")
		case !answered:
			b.WriteString(": no poll succeeded")
		case len(e.Last.Pending()) > 0:
			b.WriteString(", still pending: ")
			writeDestinations(&b, e.Last.Pending())
		default:
			b.WriteString(", the service listed no destination")
		}
	case e.Attempts == 0 && errors.Is(e.Cause, ErrSkipped):
		b.WriteString("not polled: ")
		b.WriteString(safetext.Line(e.Cause.Error(), 0))
	default:
		b.WriteString(safetext.Line(strings.TrimPrefix(e.Cause.Error(), "ecrreplication: "), 0))
	}
	attempts := "attempts"
	if e.Attempts == 1 {
		attempts = "attempt"
	}
	fmt.Fprintf(&b, " (%d %s in %v)", e.Attempts, attempts, e.Elapsed.Round(time.Millisecond))
	if e.LastErr != nil && !errors.Is(e.Cause, e.LastErr) {
		b.WriteString("; last error: ")
		b.WriteString(safetext.Line(e.LastErr.Error(), 0))
	}
	return b.String()
}

// writeNoRoom says, for a wait that ended before its limit, why no further
// poll fitted: polls are at least MinDelay apart.
func (e *WaitError) writeNoRoom(b *strings.Builder) {
	if !e.noRoom {
		return
	}
	if e.Attempts == 1 && e.limit <= e.minDelay {
		fmt.Fprintf(b, " (no second poll fits in the %v limit: polls are at least MinDelay %v apart)", e.limit, e.minDelay)
		return
	}
	left := max(e.limit-e.Elapsed, 0).Round(time.Millisecond)
	fmt.Fprintf(b, " (no further poll fits in the %v left of the %v limit: polls are at least MinDelay %v apart)", left, e.limit, e.minDelay)
}

// Unwrap returns Cause and LastErr, those that are set.
func (e *WaitError) Unwrap() []error {
	if e == nil {
		return nil
	}
	var errs []error
	for _, err := range []error{e.Cause, e.LastErr} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Name names the report's image for messages, as repository:tag@digest
// (the parts it has), each part as it is when it is a plain name, tag or
// digest, and quoted and cut otherwise, so that no value can forge or flood
// a message. A nil report is "the image".
func (r *Report) Name() string {
	if r == nil {
		return "the image"
	}
	s := r.Repository
	if !isRepositoryName(s) || len(s) > maxQuoted {
		s = quote(s)
	}
	if r.ImageTag != "" {
		s += ":" + tagForMessage(r.ImageTag)
	}
	if r.ImageDigest != "" {
		if ValidateImageDigest(r.ImageDigest) == nil {
			s += "@" + r.ImageDigest
		} else {
			s += "@" + quote(r.ImageDigest)
		}
	}
	return s
}

// tagForMessage shows a tag as it is when it is a plain OCI-style tag, and
// quoted and cut otherwise, so that no tag can forge or flood a log line.
func tagForMessage(tag string) string {
	if len(tag) > maxQuoted {
		return quote(tag)
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; byteClass[c]&classEncoded == 0 && c != '.' {
			return quote(tag)
		}
	}
	return tag
}

func writeDestinations(b *strings.Builder, ds []Destination) {
	const most = 10
	for i, d := range ds {
		if i == most {
			fmt.Fprintf(b, " and %d more", len(ds)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.String())
	}
}

// destinationList formats destinations for a log line.
func destinationList(ds []Destination) string {
	var b strings.Builder
	b.WriteByte('[')
	writeDestinations(&b, ds)
	b.WriteByte(']')
	return b.String()
}

// String formats the destination as "region registry-id STATUS: failure-code",
// or "region registry-id not listed yet" or "... not listed since TIME" when
// the service does not list it; values other than plain words are quoted.
func (d Destination) String() string {
	s := word(d.Region)
	if d.RegistryID != "" {
		s += " " + word(d.RegistryID)
	}
	switch {
	case d.Status == "" && !d.MissingSince.IsZero():
		s += " not listed since " + d.MissingSince.UTC().Format(time.RFC3339)
	case d.Status == "":
		s += " not listed yet"
	default:
		s += " " + word(string(d.Status))
	}
	if d.FailureCode != "" {
		s += ": " + word(d.FailureCode)
	}
	return s
}
