package ecrreplication

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Why a wait ended without success. Compare with errors.Is on the error that
// Wait returns.
var (
	// ErrReplicationFailed: at least one destination reported FAILED.
	ErrReplicationFailed = errors.New("ecrreplication: replication failed")
	// ErrWaitTimeout: the maximum wait time ran out before every destination
	// was COMPLETE.
	ErrWaitTimeout = errors.New("ecrreplication: timed out waiting for replication")
	// ErrNoReplication: the registry's replication configuration has no rule
	// that matches the repository, so the image will never be replicated.
	ErrNoReplication = errors.New("ecrreplication: no replication rule matches the repository")
)

// WaitError is the error of a wait that did not end in success. Both the
// reason (Cause) and the last error from the service (LastErr) answer
// errors.Is and errors.As.
type WaitError struct {
	// Cause is why the wait ended: ErrReplicationFailed, ErrWaitTimeout,
	// ErrNoReplication, the caller's context error, or a service error that
	// retrying cannot mend (such as one matching ErrImageNotFound).
	Cause error
	// LastErr is the last transient error met while polling, if any.
	LastErr error
	// Last is the last report the service gave, if any; destinations that
	// are expected but not listed yet appear with an empty Status.
	Last *Report
	// Attempts counts the DescribeImageReplicationStatus calls made.
	Attempts int
	// Elapsed is how long the wait took.
	Elapsed time.Duration
}

// Error names the image, why the wait ended (the failed or pending
// destinations), the attempts and time spent, and the last service error.
func (e *WaitError) Error() string {
	var b strings.Builder
	b.WriteString("ecrreplication: waiting for ")
	b.WriteString(e.Last.image())
	b.WriteString(": ")
	switch {
	case errors.Is(e.Cause, ErrReplicationFailed):
		b.WriteString("replication failed to ")
		writeDestinations(&b, e.Last.Failed())
	case errors.Is(e.Cause, ErrWaitTimeout):
		fmt.Fprintf(&b, "timed out after %v", e.Elapsed.Round(time.Millisecond))
		if pending := e.Last.Pending(); len(pending) > 0 {
			b.WriteString(", still pending: ")
			writeDestinations(&b, pending)
		} else if e.Last == nil {
			b.WriteString(", the service never answered")
		} else {
			b.WriteString(", the service listed no destination")
		}
	default:
		b.WriteString(strings.TrimPrefix(e.Cause.Error(), "ecrreplication: "))
	}
	attempts := "attempts"
	if e.Attempts == 1 {
		attempts = "attempt"
	}
	fmt.Fprintf(&b, " (%d %s in %v)", e.Attempts, attempts, e.Elapsed.Round(time.Millisecond))
	if e.LastErr != nil && e.LastErr != e.Cause {
		b.WriteString("; last error: ")
		b.WriteString(e.LastErr.Error())
	}
	return b.String()
}

// Unwrap returns Cause and LastErr, those that are set.
func (e *WaitError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.Cause, e.LastErr} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// image names the report's image for messages, as repository:tag@digest.
func (r *Report) image() string {
	if r == nil {
		return "the image"
	}
	s := r.Repository
	if !isRepositoryName(s) {
		s = quote(s)
	}
	if r.ImageTag != "" {
		s += ":" + tagForMessage(r.ImageTag)
	}
	if r.ImageDigest != "" {
		s += "@" + r.ImageDigest
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
	for i, d := range ds {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.String())
	}
}

// String formats the destination as "region registry-id STATUS: failure-code".
func (d Destination) String() string {
	s := d.Region + " " + d.RegistryID
	switch {
	case d.Status == "":
		s += " not listed yet"
	default:
		s += " " + string(d.Status)
	}
	if d.FailureCode != "" {
		s += ": " + d.FailureCode
	}
	return s
}
