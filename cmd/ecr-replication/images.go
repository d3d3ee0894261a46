package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// imageFlags name one image: --repository, --tag, --digest, --registry-id.
type imageFlags struct{ repository, tag, digest, registryID string }

// register defines the image flags on fs.
func (f *imageFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.repository, "repository", "", "`name` of the source repository, such as team/api")
	fs.StringVar(&f.tag, "tag", "", "image `tag`; with --digest, the tag must point to the digest (else: not found)")
	fs.StringVar(&f.digest, "digest", "", "image `digest` (sha256:...)")
	fs.StringVar(&f.registryID, "registry-id", "", "account `ID` of the source registry (default: the caller's, or an --image URI's)")
}

// input returns the request for the image the flags name, flags given even
// empty, and its problems; a --repository with a registry host, as
// ParseImageReference reads one, is an image reference.
func (f *imageFlags) input(given map[string]bool) (*ecr.DescribeImageReplicationStatusInput, problems) {
	in := &ecr.DescribeImageReplicationStatusInput{}
	pick := func(name, v string) *string {
		if given[name] {
			return aws.String(v)
		}
		return nil
	}
	in.RepositoryName, in.RegistryId = pick("repository", f.repository), pick("registry-id", f.registryID)
	if given["tag"] || given["digest"] {
		in.ImageId = &types.ImageIdentifier{ImageTag: pick("tag", f.tag), ImageDigest: pick("digest", f.digest)}
	}
	var p problems
	if host, _, ok := strings.Cut(f.repository, "/"); ok && (strings.ContainsAny(host, ".:") || host == "localhost") {
		p = append(p, fmt.Sprintf("--repository %s names the registry %s: --repository takes a repository name such as team/api; use --image for an image reference", quote(f.repository), quote(host)))
	}
	if err := ecrreplication.ValidateInput(in); err != nil {
		p = append(p, violations(err, nil)...)
	}
	return in, p
}

// givenFlags are the names of the flags the command line set.
func givenFlags(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given
}

// imageArg is an image reference as given, and where: --image or FILE:LINE
// (among the sources of a wait, also an --images-from FILE).
type imageArg struct{ text, source string }

// Limits of --images-from.
const (
	maxLineBytes = 64 << 10 // longest line, without its line break
	maxImages    = 10_000   // most images in all
)

// readImages returns the references of sources (--image REF or
// --images-from FILE, "-" for stdin), in order, read on a goroutine so that
// ctx bounds it: a stdin left open cannot outlast --timeout or a signal.
// With an error it returns what it read.
func (a *app) readImages(ctx context.Context, sources []imageArg) ([]imageArg, error) {
	var args []imageArg
	done := make(chan error, 1)
	go func() {
		for _, src := range sources {
			if src.source == "--image" {
				args = append(args, src)
			} else if err := readImageFile(src.text, a.env.stdin, &args); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		return args, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readImageFile appends the references of a file ("-": stdin), one per
// line, to args; blank lines and # comments are skipped.
func readImageFile(path string, stdin io.Reader, args *[]imageArg) error {
	r, name := stdin, "stdin"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("--images-from: %w", err)
		}
		defer f.Close()
		r, name = f, safetext.Line(path, 256)
	}
	tooLong := func(n int) error {
		return fmt.Errorf("--images-from %s: line %d is longer than 64 KiB (%d bytes), the limit of a line", name, n, maxLineBytes)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes+len("\r\n"))
	n := 1
	for ; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if len(line) > maxLineBytes {
			return tooLong(n)
		}
		if i := strings.IndexByte(line, '#'); i == 0 || i > 0 && strings.ContainsAny(line[i-1:i], " \t") {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line == "" {
			continue
		} else if len(*args) == maxImages {
			return fmt.Errorf("--images-from %s lists more than %d images in all (line %d): split the list", name, maxImages, n)
		}
		*args = append(*args, imageArg{line, fmt.Sprintf("%s:%d", name, n)})
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return tooLong(n)
	} else if err != nil {
		return fmt.Errorf("--images-from %s: reading line %d: %w", name, n, err)
	}
	return nil
}

// imageInputs parses references into requests, and returns the region
// their URIs name and every problem: a reference that is none, URIs that
// differ from --region or --registry-id (registryID), or from each other.
func imageInputs(args []imageArg, registryID *string, region string) (inputs []*ecr.DescribeImageReplicationStatusInput, uriRegion string, problems []string) {
	type first struct {
		value, source string
		two           bool
	}
	var regions, accounts first
	same := func(f *first, what, v, flagValue, flag string, arg imageArg) {
		switch {
		case v == "":
		case flagValue != "" && v != flagValue:
			problems = append(problems, fmt.Sprintf("image %s (%s) is in %s, but %s", quote(arg.text), arg.source, strings.TrimPrefix(what+" "+v, "region "), flag))
		case f.value == "":
			*f = first{v, arg.source, false}
		case v != f.value && !f.two:
			f.two = true
			problems = append(problems, fmt.Sprintf("images of two %ss, %s (%s) and %s (%s): wait for each %s's images in a command of its own", what, f.value, f.source, v, arg.source, what))
		}
	}
	for i, arg := range args {
		ref, err := ecrreplication.ParseImageReference(arg.text)
		if err != nil {
			problems = append(problems, violations(err, &args[i])...)
			continue
		}
		same(&regions, "region", ref.Region, region, "--region is "+region, arg)
		same(&accounts, "account", ref.RegistryID, aws.ToString(registryID), "--registry-id is "+quote(aws.ToString(registryID)), arg)
		in := ref.Input()
		if in.RegistryId == nil {
			in.RegistryId = registryID
		}
		inputs = append(inputs, in)
	}
	return inputs, regions.value, problems
}

// nameOf names an image for people, REPO:TAG or REPO@DIGEST (the digest
// only without a tag), unusual parts quoted (Report.Name).
func nameOf(img imageDoc) string {
	r := ecrreplication.Report{Repository: img.Repository, ImageTag: img.ImageTag}
	if img.ImageTag == "" {
		r.ImageDigest = img.ImageDigest
	}
	return r.Name()
}
