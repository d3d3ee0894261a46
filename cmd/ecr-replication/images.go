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
type imageFlags struct {
	repository, tag, digest, registryID string
}

// register defines the image flags on fs.
func (f *imageFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.repository, "repository", "", "`name` of the source repository, such as team/api")
	fs.StringVar(&f.tag, "tag", "", "image `tag`; with --digest, the tag must point to the digest (else: not found)")
	fs.StringVar(&f.digest, "digest", "", "image `digest` (sha256:...)")
	fs.StringVar(&f.registryID, "registry-id", "", "account `ID` of the source registry (default: an image URI's, else the caller's account)")
}

// input returns the request for the image the flags name. Flags given are
// sent even when empty, so that ValidateInput reports them; flags not given
// are left out.
func (f *imageFlags) input(fs *flag.FlagSet) *ecr.DescribeImageReplicationStatusInput {
	given := givenFlags(fs)
	in := &ecr.DescribeImageReplicationStatusInput{}
	if given["repository"] {
		in.RepositoryName = aws.String(f.repository)
	}
	if given["registry-id"] {
		in.RegistryId = aws.String(f.registryID)
	}
	if given["tag"] || given["digest"] {
		in.ImageId = &types.ImageIdentifier{}
		if given["tag"] {
			in.ImageId.ImageTag = aws.String(f.tag)
		}
		if given["digest"] {
			in.ImageId.ImageDigest = aws.String(f.digest)
		}
	}
	return in
}

// givenFlags are the names of the flags the command line set.
func givenFlags(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given
}

// imageArg is one image reference as given, before it is parsed: the text and
// where it came from (--image, or FILE:LINE of --images-from).
type imageArg struct{ text, source string }

// imageSource is one --image (a reference) or --images-from (a file, "-"
// for stdin), in the order of the command line.
type imageSource struct {
	text string
	file bool
}

// sourceFlag is the value of --image or --images-from: each use adds a
// source, nothing is split.
type sourceFlag struct {
	list *[]imageSource
	file bool
}

// String implements flag.Value.
func (f sourceFlag) String() string { return "" }

// Set implements flag.Value.
func (f sourceFlag) Set(v string) error {
	*f.list = append(*f.list, imageSource{v, f.file})
	return nil
}

// Limits of --images-from.
const (
	maxLineBytes = 64 << 10 // longest line, without its line break
	maxImages    = 10_000   // most images in all
)

// readImages returns the references of sources, in order, reading each
// --images-from file. The reading runs on its own so that ctx bounds it: a
// stdin that stays open cannot outlast --timeout or a signal.
func (a *app) readImages(ctx context.Context, sources []imageSource) ([]imageArg, error) {
	type read struct {
		args []imageArg
		err  error
	}
	done := make(chan read, 1)
	go func() {
		var r read
		for _, src := range sources {
			if r.err == nil && !src.file {
				r.args = append(r.args, imageArg{src.text, "--image"})
			} else if r.err == nil {
				r.err = readImageFile(src.text, a.env.stdin, &r.args)
			}
		}
		done <- r
	}()
	select {
	case r := <-done:
		return r.args, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readImageFile appends the references listed in the file at path ("-":
// stdin) to args: one per line; blank lines and # comments are skipped.
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
		}
		if len(*args) == maxImages {
			return fmt.Errorf("--images-from %s lists more than %d images in all (line %d): split the list", name, maxImages, n)
		}
		*args = append(*args, imageArg{line, fmt.Sprintf("%s:%d", name, n)})
	}
	switch err := sc.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return tooLong(n)
	case err != nil:
		return fmt.Errorf("--images-from %s: reading line %d: %w", name, n, err)
	}
	return nil
}

// imageInputs parses the references and returns their requests, the region
// their URIs name ("" for none), and every problem: a reference that is not
// one, a URI whose region or account differs from --region or --registry-id
// (registryID, when given), and URIs of two regions or two accounts: a wait
// sends every request to one region, as one caller.
func imageInputs(args []imageArg, registryID *string, region string) (inputs []*ecr.DescribeImageReplicationStatusInput, uriRegion string, problems []string) {
	var firstRegion, firstAccount imageArg
	var account string
	twoRegions, twoAccounts := false, false
	for i, arg := range args {
		ref, err := ecrreplication.ParseImageReference(arg.text)
		if err != nil {
			problems = append(problems, violations(err, &args[i])...)
			continue
		}
		switch {
		case ref.Region == "":
		case region != "" && ref.Region != region:
			problems = append(problems, fmt.Sprintf("image %s (%s) is in %s, but --region is %s", quote(arg.text), arg.source, ref.Region, region))
		case uriRegion == "":
			firstRegion, uriRegion = arg, ref.Region
		case ref.Region != uriRegion && !twoRegions:
			twoRegions = true
			problems = append(problems, fmt.Sprintf("images of two regions, %s (%s) and %s (%s): wait for each region's images in a command of its own", uriRegion, firstRegion.source, ref.Region, arg.source))
		}
		switch {
		case ref.RegistryID == "":
		case registryID != nil && ref.RegistryID != *registryID:
			problems = append(problems, fmt.Sprintf("image %s (%s) is in account %s, but --registry-id is %s", quote(arg.text), arg.source, ref.RegistryID, quote(*registryID)))
		case account == "":
			firstAccount, account = arg, ref.RegistryID
		case ref.RegistryID != account && !twoAccounts:
			twoAccounts = true
			problems = append(problems, fmt.Sprintf("images of two accounts, %s (%s) and %s (%s): wait for each account's images in a command of its own", account, firstAccount.source, ref.RegistryID, arg.source))
		}
		in := ref.Input()
		if in.RegistryId == nil {
			in.RegistryId = registryID
		}
		inputs = append(inputs, in)
	}
	return inputs, uriRegion, problems
}

// imageName names the image of a request for people, as REPO:TAG or
// REPO@DIGEST (the digest only when there is no tag), quoting unusual
// parts (Report.Name).
func imageName(repository, tag, digest string) string {
	r := ecrreplication.Report{Repository: repository, ImageTag: tag}
	if tag == "" {
		r.ImageDigest = digest
	}
	return r.Name()
}

// inputName is imageName of a request.
func inputName(in *ecr.DescribeImageReplicationStatusInput) string {
	r := ecrreplication.NewReport(in, nil)
	return imageName(r.Repository, r.ImageTag, r.ImageDigest)
}
