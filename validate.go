package ecrreplication

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// Wire names of the validated fields, as used in Violation.Field.
const (
	FieldRepositoryName = "repositoryName"
	FieldRegistryID     = "registryId"
	FieldImageID        = "imageId"
	FieldImageTag       = "imageId.imageTag"
	FieldImageDigest    = "imageId.imageDigest"
)

// RepositoryNamePattern is the documented pattern a repository name must match
// in full.
const RepositoryNamePattern = `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`

// Documented length limits, counted in characters (Unicode code points).
const (
	MinRepositoryNameLength = 2
	MaxRepositoryNameLength = 256
	MinImageTagLength       = 1
	MaxImageTagLength       = 300
)

// violations collects violations without allocating until the first one.
type violations []Violation

func (vs *violations) add(field, value, constraint string) {
	*vs = append(*vs, Violation{Field: field, Value: value, Constraint: constraint})
}

func (vs violations) err() error {
	if len(vs) == 0 {
		return nil
	}
	return &ValidationError{Violations: vs}
}

// ValidateInput checks every documented constraint of a
// DescribeImageReplicationStatus input and reports all violations at once as a
// *ValidationError. A nil input is an error. A valid input costs no allocation.
func ValidateInput(params *ecr.DescribeImageReplicationStatusInput) error {
	if params == nil {
		return &ValidationError{Violations: []Violation{{Field: "input", Constraint: "is required (got a nil *ecr.DescribeImageReplicationStatusInput)"}}}
	}
	var vs violations
	if params.RepositoryName == nil {
		vs.add(FieldRepositoryName, "", "is required")
	} else {
		checkRepositoryName(&vs, *params.RepositoryName)
	}
	if params.RegistryId != nil {
		checkRegistryID(&vs, *params.RegistryId)
	}
	switch id := params.ImageId; {
	case id == nil:
		vs.add(FieldImageID, "", "is required")
	case id.ImageTag == nil && id.ImageDigest == nil:
		vs.add(FieldImageID, "", "must carry imageTag or imageDigest")
	default:
		if id.ImageTag != nil {
			checkImageTag(&vs, *id.ImageTag)
		}
		if id.ImageDigest != nil {
			checkImageDigest(&vs, *id.ImageDigest)
		}
	}
	return vs.err()
}

// ValidateRepositoryName checks a repository name: 2 to 256 characters,
// matching RepositoryNamePattern in full.
func ValidateRepositoryName(name string) error {
	var vs violations
	checkRepositoryName(&vs, name)
	return vs.err()
}

// ValidateRegistryID checks a registry ID (an AWS account ID): exactly 12 ASCII
// digits.
func ValidateRegistryID(id string) error {
	var vs violations
	checkRegistryID(&vs, id)
	return vs.err()
}

// ValidateImageTag checks an image tag: 1 to 300 characters of valid UTF-8,
// none of them white space or a control character. The model puts no
// pattern on the tag of DescribeImageReplicationStatus; ECR's own rule for
// tags (letters, digits, '-', '_' and '.', enforced by DescribeImages) is
// left to the service, whose InvalidParameterException answers
// ErrInvalidParameter: no public record shows that this operation
// enforces it.
func ValidateImageTag(tag string) error {
	var vs violations
	checkImageTag(&vs, tag)
	return vs.err()
}

// ValidateImageDigest checks an image digest against the OCI image-spec digest
// grammar (algorithm:encoded); sha256 digests must have exactly 64 and sha512
// digests exactly 128 lowercase hex characters.
func ValidateImageDigest(digest string) error {
	var vs violations
	checkImageDigest(&vs, digest)
	return vs.err()
}

func checkRepositoryName(vs *violations, name string) {
	if n := utf8.RuneCountInString(name); n < MinRepositoryNameLength || n > MaxRepositoryNameLength {
		vs.add(FieldRepositoryName, name, fmt.Sprintf("must be %d to %d characters long, got %d", MinRepositoryNameLength, MaxRepositoryNameLength, n))
	}
	if !isRepositoryName(name) {
		vs.add(FieldRepositoryName, name, repositoryNameHint(name)+": components of lower-case letters and digits, separated by single '.', '_' or '-', joined by '/' (pattern "+RepositoryNamePattern+")")
	}
}

// Byte classes for the straight-line checks, looked up in one table.
const (
	classAlnum   = 1 << iota // [a-z0-9]
	classNameSep             // [._-/]
	classAlgSep              // [+._-]
	classEncoded             // [a-zA-Z0-9=_-]
	classHex                 // [a-f0-9]
	classDigit               // [0-9]
)

var byteClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= classAlnum | classEncoded
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] |= classEncoded
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= classAlnum | classEncoded | classHex | classDigit
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] |= classHex
	}
	for _, c := range "._-/" {
		t[c] |= classNameSep
	}
	for _, c := range "+._-" {
		t[c] |= classAlgSep
	}
	for _, c := range "=_-" {
		t[c] |= classEncoded
	}
	return t
}()

// isRepositoryName reports whether name matches RepositoryNamePattern in full:
// '/'-separated components of [a-z0-9] runs joined by single [._-] separators.
func isRepositoryName(name string) bool {
	return isSeparated(name, classNameSep)
}

// isSeparated reports whether s is runs of [a-z0-9] joined by single bytes of
// the separator class sep, with no separator first or last.
func isSeparated(s string, sep uint8) bool {
	afterSep := true // at the start, as after a separator: an alphanumeric must come next
	for i := 0; i < len(s); i++ {
		switch c := byteClass[s[i]]; {
		case c&classAlnum != 0:
			afterSep = false
		case c&sep != 0 && !afterSep:
			afterSep = true
		default:
			return false
		}
	}
	return !afterSep
}

// allOf reports whether every byte of s is in class (a single class bit).
// It reads the whole string without branching, which is fastest for the valid
// input that is the common case.
func allOf(s string, class uint8) bool {
	acc := class
	for i := 0; i < len(s); i++ {
		acc &= byteClass[s[i]]
	}
	return acc != 0
}

// repositoryNameHint names the most likely mistake in a name that does not
// match the pattern.
func repositoryNameHint(name string) string {
	switch {
	case name == "":
		return "must not be empty"
	case strings.ContainsFunc(name, func(r rune) bool { return 'A' <= r && r <= 'Z' }):
		return "must be lower case"
	case strings.ContainsFunc(name, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || strings.ContainsRune("._-/", r))
	}):
		return "must contain only a-z, 0-9, '.', '_', '-' and '/'"
	default:
		return "must start and end with a letter or digit and not repeat separators"
	}
}

func checkRegistryID(vs *violations, id string) {
	if len(id) != 12 {
		vs.add(FieldRegistryID, id, fmt.Sprintf("must be exactly 12 digits (an AWS account ID), got %d characters", utf8.RuneCountInString(id)))
		return
	}
	if !allOf(id, classDigit) {
		vs.add(FieldRegistryID, id, "must be exactly 12 digits (an AWS account ID)")
	}
}

func checkImageTag(vs *violations, tag string) {
	n, valid, r, at := scanTag(tag)
	if n < MinImageTagLength || n > MaxImageTagLength {
		vs.add(FieldImageTag, tag, fmt.Sprintf("must be %d to %d characters long, got %d", MinImageTagLength, MaxImageTagLength, n))
	}
	if !valid {
		// The SDK would send U+FFFD in its place: another tag.
		vs.add(FieldImageTag, tag, "must be valid UTF-8")
	}
	if at > 0 {
		vs.add(FieldImageTag, tag, fmt.Sprintf("must not contain white space or control characters, found %U at character %d", r, at))
	}
}

// scanTag reads a tag once: its length in characters, whether it is valid
// UTF-8, and its first white space (unicode.IsSpace) or control character
// (unicode.IsControl) and that character's position, counting from 1 (0
// when there is none). No image tag can hold one: a tag that does would,
// once printed, add a line to a log or move the cursor. Other characters
// outside ECR's tag rules are left to the service (see ValidateImageTag).
func scanTag(s string) (n int, valid bool, bad rune, at int) {
	valid = true
	for i := 0; i < len(s); n++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c <= ' ' || c == 0x7f) && at == 0 {
				bad, at = rune(c), n+1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			valid = false
		case at == 0 && (unicode.IsSpace(r) || unicode.IsControl(r)):
			bad, at = r, n+1
		}
		i += size
	}
	return n, valid, bad, at
}

// checkImageDigest applies the OCI image-spec grammar:
//
//	digest              ::= algorithm ":" encoded
//	algorithm           ::= algorithm-component (algorithm-separator algorithm-component)*
//	algorithm-component ::= [a-z0-9]+
//	algorithm-separator ::= [+._-]
//	encoded             ::= [a-zA-Z0-9=_-]+
//
// and the registered algorithms' rules: sha256 is 64 and sha512 128 lowercase
// hex characters.
func checkImageDigest(vs *violations, digest string) {
	colon := strings.IndexByte(digest, ':')
	if colon < 0 || !isSeparated(digest[:colon], classAlgSep) {
		vs.add(FieldImageDigest, digest, digestGrammar)
		return
	}
	algorithm, encoded := digest[:colon], digest[colon+1:]
	var want int
	switch algorithm {
	case "sha256":
		want = 64
	case "sha512":
		want = 128
	default:
		if encoded == "" || !allOf(encoded, classEncoded) {
			vs.add(FieldImageDigest, digest, digestGrammar)
		}
		return
	}
	// Lowercase hex is a subset of the grammar's encoded characters.
	if len(encoded) != want || !isLowerHex(encoded) {
		vs.add(FieldImageDigest, digest, fmt.Sprintf("must have exactly %d lowercase hex characters after %q", want, algorithm+":"))
	}
}

const digestGrammar = "must be algorithm:encoded per the OCI digest grammar, such as sha256: followed by 64 lowercase hex characters"

// isLowerHex reports whether every byte of s is in [0-9a-f]. It checks eight
// bytes at a time: adding a constant to every byte below 0x80 sets that byte's
// high bit exactly when the byte is at least some bound, with no carry into
// the next byte, so two additions test a range in all eight bytes at once.
func isLowerHex(s string) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if x&high != 0 {
			return false
		}
		digit := (x + (0x80-'0')*ones) &^ (x + (0x7f-'9')*ones) // '0' <= c <= '9'
		alpha := (x + (0x80-'a')*ones) &^ (x + (0x7f-'f')*ones) // 'a' <= c <= 'f'
		if (digit|alpha)&high != high {
			return false
		}
	}
	return allOf(s[i:], classHex)
}
