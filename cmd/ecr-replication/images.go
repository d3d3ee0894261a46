package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

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
	fs.StringVar(&f.repository, "repository", "", "`name` of the source repository (required, unless wait names images with --image or --images-from)")
	fs.StringVar(&f.tag, "tag", "", "image `tag`; --tag or --digest is required")
	fs.StringVar(&f.digest, "digest", "", "image `digest` (sha256:...); --tag or --digest is required")
	fs.StringVar(&f.registryID, "registry-id", "", "account `ID` of the source registry (default: the caller's account)")
}

// input returns the request for the image the flags name. Flags given on the
// command line are sent even when empty, so that ValidateInput reports them;
// flags not given are left out.
func (f *imageFlags) input(fs *flag.FlagSet) *ecr.DescribeImageReplicationStatusInput {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	in := &ecr.DescribeImageReplicationStatusInput{}
	if set["repository"] {
		in.RepositoryName = aws.String(f.repository)
	}
	if set["registry-id"] {
		in.RegistryId = aws.String(f.registryID)
	}
	if set["tag"] || set["digest"] {
		in.ImageId = &types.ImageIdentifier{}
		if set["tag"] {
			in.ImageId.ImageTag = aws.String(f.tag)
		}
		if set["digest"] {
			in.ImageId.ImageDigest = aws.String(f.digest)
		}
	}
	return in
}

// imageArg is one image as the command line or a file names it, before it is
// parsed: the text and where it came from.
type imageArg struct {
	text string
	// source is where the text came from, for messages: --image, or
	// FILE:LINE for --images-from.
	source string
}

// imageArgs is the value of --image: one image per flag, repeatable. Values
// are not split on commas.
type imageArgs []imageArg

// String implements flag.Value.
func (l *imageArgs) String() string {
	texts := make([]string, len(*l))
	for i, a := range *l {
		texts[i] = a.text
	}
	return strings.Join(texts, " ")
}

// Set implements flag.Value.
func (l *imageArgs) Set(v string) error {
	*l = append(*l, imageArg{text: v, source: "--image"})
	return nil
}

// imageRef is a parsed image reference: REPO:TAG, REPO@DIGEST or
// REPO:TAG@DIGEST. A nil tag or digest was not given; an empty one was given
// empty (ValidateInput reports it).
type imageRef struct {
	repository  string
	tag, digest *string
}

// parseImageRef parses REPO:TAG, REPO@DIGEST or REPO:TAG@DIGEST. The digest
// starts after the first '@'; the tag after the last ':' that follows the
// last '/' of what precedes the digest, so that a registry host's port
// (host:5000/repo) is never taken for a tag. Only the shape is checked here;
// the names themselves are checked by ecrreplication.ValidateInput.
func parseImageRef(s string) (imageRef, error) {
	var ref imageRef
	if s == "" {
		return ref, errors.New("is empty: use REPO:TAG or REPO@DIGEST")
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return ref, errors.New("contains white space: use REPO:TAG or REPO@DIGEST, one image per value or line")
	}
	name := s
	if at := strings.IndexByte(s, '@'); at >= 0 {
		name = s[:at]
		ref.digest = aws.String(s[at+1:])
	}
	slash := strings.LastIndexByte(name, '/')
	if colon := strings.LastIndexByte(name, ':'); colon > slash {
		ref.tag = aws.String(name[colon+1:])
		name = name[:colon]
	}
	ref.repository = name
	switch {
	case name == "":
		return ref, errors.New("names no repository: use REPO:TAG or REPO@DIGEST")
	case ref.tag == nil && ref.digest == nil:
		return ref, errors.New("names no tag or digest: use REPO:TAG or REPO@DIGEST, such as team/api:v1.4.2 or team/api@sha256:<hex>")
	}
	return ref, nil
}

// input returns the request for the image, in registryID when that is given.
func (ref imageRef) input(registryID *string) *ecr.DescribeImageReplicationStatusInput {
	return &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String(ref.repository),
		RegistryId:     registryID,
		ImageId:        &types.ImageIdentifier{ImageTag: ref.tag, ImageDigest: ref.digest},
	}
}

// Limits of --images-from.
const (
	maxLineBytes = 64 << 10 // longest line
	maxImages    = 10_000   // most images listed
)

// readImageArgs reads --images-from: one image per line; blank lines and
// lines whose first non-blank character is '#' are ignored, as is the rest
// of a line from a '#' that follows white space. "-" reads stdin. A line
// longer than maxLineBytes, or more than maxImages images, is an error that
// names the file and the line; the images read until then are returned
// with it.
func readImageArgs(path string, stdin io.Reader) ([]imageArg, error) {
	var r io.Reader
	name := safetext.Line(path, 256)
	if path == "-" {
		r, name = stdin, "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--images-from: %w", err)
		}
		defer f.Close()
		r = f
	}
	var args []imageArg
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes)
	n := 1
	for ; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i == 0 || i > 0 && strings.ContainsAny(line[i-1:i], " \t") {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(args) == maxImages {
			return args, fmt.Errorf("--images-from %s lists more than %d images (line %d): split the list", name, maxImages, n)
		}
		args = append(args, imageArg{text: line, source: fmt.Sprintf("%s:%d", name, n)})
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return args, fmt.Errorf("--images-from %s: line %d is longer than %d KiB, the limit of a line", name, n, maxLineBytes>>10)
	} else if err != nil {
		return args, fmt.Errorf("--images-from %s: reading line %d: %w", name, n, err)
	}
	return args, nil
}

// imageName names the image of a request for people, as REPO:TAG,
// REPO@DIGEST or both, quoting unusual parts (Report.Name).
func imageName(in *ecr.DescribeImageReplicationStatusInput) string {
	return ecrreplication.NewReport(in, nil).Name()
}

// distinctImages counts the inputs named differently: before the first
// answers, the number of images a set names at most.
func distinctImages(inputs []*ecr.DescribeImageReplicationStatusInput) int {
	seen := map[string]bool{}
	for _, in := range inputs {
		seen[strings.Join([]string{aws.ToString(in.RegistryId), aws.ToString(in.RepositoryName),
			fmt.Sprint(in.ImageId.ImageTag != nil), aws.ToString(in.ImageId.ImageTag),
			fmt.Sprint(in.ImageId.ImageDigest != nil), aws.ToString(in.ImageId.ImageDigest)}, "\x00")] = true
	}
	return len(seen)
}

// mentionsImageFlags reports whether args use --image or --images-from, in
// any of the flag package's spellings, before a "--" terminator. It decides
// the shape of the JSON document of a usage error found while parsing.
func mentionsImageFlags(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && (name == "image" || name == "images-from") {
			return true
		}
	}
	return false
}
