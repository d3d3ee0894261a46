package ecrreplication

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// One image named twice is one image: in a WaitAll, inputs that name the
// same image share its polls. Inputs named the same way (the same registry,
// repository, tag and digest) share them from the start; an input whose
// first answer names the image of another input (a tag that resolves to a
// digest that another input named, or resolved to, in the same registry)
// joins that input's wait. Of the inputs that share a wait, one run, the
// lead, polls; when its wait ends, every input it polls for ends with the
// same destinations, replication times and error. The replication times are
// recorded once per image (MeterProvider), by the run whose answer ended
// the wait, and in the reports the first input in input order carries the
// figures: the others have Duplicate set.
//
// Invariant: lead[i] == i exactly for the runs that may poll; every input
// is in members[lead[i]], and members is nil for every other index; each
// image key of byImage names a lead.

// imageKey identifies an image for sharing: the registry as given, the
// repository and the digest.
type imageKey struct {
	registry, repository, digest string
}

// sharing is the state of the shared waits of a WaitAll.
type sharing struct {
	// lead[i] is the run that polls for input i: i itself, or another.
	lead []int
	// members[l] are the inputs lead l polls for, l among them, sorted.
	members [][]int
	// byImage maps each image resolved so far to the lead polling for it,
	// or whose wait for it has ended; keyed says that a lead's image is
	// in byImage.
	byImage map[imageKey]int
	keyed   []bool
}

// newSharing groups the inputs named the same way.
func newSharing(runs []*waitRun) sharing {
	sh := sharing{lead: make([]int, len(runs)), members: make([][]int, len(runs)), byImage: map[imageKey]int{}, keyed: make([]bool, len(runs))}
	type literal struct {
		registry, repository, tag, digest string
		hasTag, hasDigest                 bool
	}
	first := map[literal]int{}
	for i, r := range runs {
		p := r.request()
		id := p.ImageId
		k := literal{deref(p.RegistryId), deref(p.RepositoryName), deref(id.ImageTag), deref(id.ImageDigest), id.ImageTag != nil, id.ImageDigest != nil}
		l, ok := first[k]
		if !ok {
			first[k], l = i, i
		}
		sh.lead[i] = l
		sh.members[l] = append(sh.members[l], i)
	}
	return sh
}

// isLead reports whether run i polls for itself (and perhaps others).
func (sh *sharing) isLead(i int) bool { return sh.lead[i] == i }

// move puts the inputs of lead from under lead to: from no longer polls.
func (sh *sharing) move(from, to int) []int {
	moved := sh.members[from]
	for _, m := range moved {
		sh.lead[m] = to
	}
	sh.members[to] = append(sh.members[to], moved...)
	slices.Sort(sh.members[to])
	sh.members[from] = nil
	return moved
}

// join is called when lead i has its first answer that names its image's
// digest. When another lead already waits, or waited, for that image, the
// two waits become one: if the other's wait has ended, i's inputs take its
// outcome; if i's answer ends the wait (res done, or an error), i takes over
// the other's inputs and settles for all; otherwise the other polls for i's
// inputs too. join reports whether it has settled i's result itself.
func (s *set) join(i int, res attemptResult) bool {
	r := s.runs[i]
	s.keyed[i] = true
	p := r.request()
	k := imageKey{deref(p.RegistryId), deref(p.RepositoryName), r.report().ImageDigest}
	l, ok := s.byImage[k]
	if !ok {
		s.byImage[k] = i
		return false
	}
	other := s.runs[l]
	switch {
	case other.over():
		r.stop()
		s.concludeMembers(s.move(i, l), -1, s.reports[l], s.errs[l])
		return true
	case res.done || res.err != nil:
		other.stop() // any poll of its still under way is ignored
		s.move(l, i)
		s.byImage[k] = i
		return false
	default:
		r.stop()
		moved := s.move(i, l)
		if other.report() != nil {
			s.publish(l, moved)
		}
		return true
	}
}

// publish shows lead l's last report as the progress of the inputs ms of
// its group.
func (s *set) publish(l int, ms []int) {
	last := s.runs[l].report()
	for _, m := range ms {
		rep := last
		if m != l {
			rep = last.forInput(s.runs[m].request())
		}
		s.progress[m] = rep
		if s.onProgress != nil {
			s.onProgress(*rep)
		}
	}
	if s.opts.OnProgress != nil {
		s.opts.OnProgress(append([]*Report(nil), s.progress...))
	}
}

// concludeMembers ends the waits of the inputs ms with the outcome of input
// own (-1 for none of them): own keeps the report and the error, and every
// other input gets its own copy of both, named as it asked.
func (s *set) concludeMembers(ms []int, own int, report *Report, err error) {
	failed := -1
	for _, m := range ms {
		rep, merr := report, err
		if m != own {
			rep = report.forInput(s.runs[m].request())
			if we, ok := err.(*WaitError); ok {
				c := *we
				c.Last = rep
				merr = &c
			}
		}
		s.reports[m], s.errs[m] = rep, merr
		s.pending--
		if s.opts.OnImageDone != nil {
			s.opts.OnImageDone(m, rep, merr)
		}
		if merr != nil && failed < 0 {
			failed = m
		}
	}
	if failed >= 0 && s.opts.FailFast {
		s.cancel(&SkippedError{Index: failed, Err: s.errs[failed]})
	}
}

// countShared gives every input of a shared wait the counts of all the
// polls made for the image, and marks all but the first as Duplicate.
func (s *set) countShared() {
	for _, ms := range s.members {
		if len(ms) < 2 {
			continue
		}
		attempts, answers := 0, 0
		for _, m := range ms {
			a, n := s.runs[m].counts()
			attempts, answers = attempts+a, answers+n
		}
		for n, m := range ms {
			if rep := s.reports[m]; rep != nil {
				rep.Duplicate, rep.Attempts, rep.Answers = n > 0, attempts, answers
			}
			if we, ok := s.errs[m].(*WaitError); ok {
				we.Attempts = attempts
			}
		}
	}
}

// forInput returns a copy of the report named as in asks: its registry,
// repository and tag as given, its digest as given or as resolved.
func (r *Report) forInput(in *ecr.DescribeImageReplicationStatusInput) *Report {
	c := *r
	c.Destinations = slices.Clone(r.Destinations)
	c.RegistryID, c.Repository, c.ImageTag = deref(in.RegistryId), deref(in.RepositoryName), deref(in.ImageId.ImageTag)
	if d := deref(in.ImageId.ImageDigest); d != "" {
		c.ImageDigest = d
	}
	return &c
}
