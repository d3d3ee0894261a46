package ecrreplication_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
)

const (
	validDigest = "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	validSHA512 = "sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" +
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

func validInput() *ecr.DescribeImageReplicationStatusInput {
	return &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("team/service-api"),
		RegistryId:     aws.String("123456789012"),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v1.2.3"), ImageDigest: aws.String(validDigest)},
	}
}

// violations returns the violations of err, or nil when err is nil.
func violations(t *testing.T, err error) []ecrreplication.Violation {
	t.Helper()
	if err == nil {
		return nil
	}
	if !errors.Is(err, ecrreplication.ErrValidation) {
		t.Errorf("errors.Is(%v, ErrValidation) = false, want true", err)
	}
	var ve *ecrreplication.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("errors.As(%v, *ValidationError) = false, want true", err)
	}
	return ve.Violations
}

// fields lists the fields of violations, in order.
func fields(vs []ecrreplication.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Field)
	}
	return out
}

func TestValidateInput(t *testing.T) {
	long := strings.Repeat("a", 257)
	tests := []struct {
		name   string
		modify func(*ecr.DescribeImageReplicationStatusInput)
		want   []string // violated fields, in order
	}{
		{"valid", func(*ecr.DescribeImageReplicationStatusInput) {}, nil},
		{"valid tag only", func(in *ecr.DescribeImageReplicationStatusInput) { in.ImageId.ImageDigest = nil }, nil},
		{"valid digest only", func(in *ecr.DescribeImageReplicationStatusInput) { in.ImageId.ImageTag = nil }, nil},
		{"valid sha512", func(in *ecr.DescribeImageReplicationStatusInput) { in.ImageId.ImageDigest = aws.String(validSHA512) }, nil},
		{"valid other algorithm", func(in *ecr.DescribeImageReplicationStatusInput) {
			in.ImageId.ImageDigest = aws.String("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8")
		}, nil},
		{"no registry", func(in *ecr.DescribeImageReplicationStatusInput) { in.RegistryId = nil }, nil},
		{"name at 256", func(in *ecr.DescribeImageReplicationStatusInput) { in.RepositoryName = aws.String(long[:256]) }, nil},
		{"tag at 300", func(in *ecr.DescribeImageReplicationStatusInput) {
			in.ImageId.ImageTag = aws.String(strings.Repeat("t", 300))
		}, nil},
		{"missing name", func(in *ecr.DescribeImageReplicationStatusInput) { in.RepositoryName = nil }, []string{"repositoryName"}},
		{"empty name", func(in *ecr.DescribeImageReplicationStatusInput) { in.RepositoryName = aws.String("") }, []string{"repositoryName", "repositoryName"}},
		{"short name", func(in *ecr.DescribeImageReplicationStatusInput) { in.RepositoryName = aws.String("a") }, []string{"repositoryName"}},
		{"long name", func(in *ecr.DescribeImageReplicationStatusInput) { in.RepositoryName = aws.String(long) }, []string{"repositoryName"}},
		{"upper case name", func(in *ecr.DescribeImageReplicationStatusInput) { in.RepositoryName = aws.String("Foo") }, []string{"repositoryName"}},
		{"substring match is not enough", func(in *ecr.DescribeImageReplicationStatusInput) { in.RepositoryName = aws.String("ok/ok/") }, []string{"repositoryName"}},
		{"double separator", func(in *ecr.DescribeImageReplicationStatusInput) { in.RepositoryName = aws.String("a__b") }, []string{"repositoryName"}},
		{"empty registry", func(in *ecr.DescribeImageReplicationStatusInput) { in.RegistryId = aws.String("") }, []string{"registryId"}},
		{"short registry", func(in *ecr.DescribeImageReplicationStatusInput) { in.RegistryId = aws.String("12345678901") }, []string{"registryId"}},
		{"non-digit registry", func(in *ecr.DescribeImageReplicationStatusInput) { in.RegistryId = aws.String("12345678901x") }, []string{"registryId"}},
		{"unicode digit registry", func(in *ecr.DescribeImageReplicationStatusInput) {
			in.RegistryId = aws.String("１２３４５６７８９０１２")
		}, []string{"registryId"}},
		{"missing image id", func(in *ecr.DescribeImageReplicationStatusInput) { in.ImageId = nil }, []string{"imageId"}},
		{"empty image id", func(in *ecr.DescribeImageReplicationStatusInput) { in.ImageId = &types.ImageIdentifier{} }, []string{"imageId"}},
		{"empty tag", func(in *ecr.DescribeImageReplicationStatusInput) { in.ImageId.ImageTag = aws.String("") }, []string{"imageId.imageTag"}},
		{"long tag", func(in *ecr.DescribeImageReplicationStatusInput) {
			in.ImageId.ImageTag = aws.String(strings.Repeat("t", 301))
		}, []string{"imageId.imageTag"}},
		{"digest without algorithm", func(in *ecr.DescribeImageReplicationStatusInput) {
			in.ImageId.ImageDigest = aws.String(validDigest[7:])
		}, []string{"imageId.imageDigest"}},
		{"upper-case sha256", func(in *ecr.DescribeImageReplicationStatusInput) {
			in.ImageId.ImageDigest = aws.String(strings.ToUpper(validDigest[:7]) + strings.ToUpper(validDigest[7:]))
		}, []string{"imageId.imageDigest"}},
		{"upper-case sha256 hex", func(in *ecr.DescribeImageReplicationStatusInput) {
			in.ImageId.ImageDigest = aws.String("sha256:" + strings.ToUpper(validDigest[7:]))
		}, []string{"imageId.imageDigest"}},
		{"short sha256", func(in *ecr.DescribeImageReplicationStatusInput) {
			in.ImageId.ImageDigest = aws.String(validDigest[:70])
		}, []string{"imageId.imageDigest"}},
		{"short sha512", func(in *ecr.DescribeImageReplicationStatusInput) {
			in.ImageId.ImageDigest = aws.String(validDigest[:7] + validSHA512[7:])
		}, []string{"imageId.imageDigest"}},
		{"empty encoded", func(in *ecr.DescribeImageReplicationStatusInput) { in.ImageId.ImageDigest = aws.String("sha256:") }, []string{"imageId.imageDigest"}},
		{"all at once", func(in *ecr.DescribeImageReplicationStatusInput) {
			in.RepositoryName = aws.String("A")
			in.RegistryId = aws.String("abc")
			in.ImageId.ImageTag = aws.String("")
			in.ImageId.ImageDigest = aws.String("nope")
		}, []string{"repositoryName", "repositoryName", "registryId", "imageId.imageTag", "imageId.imageDigest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.modify(in)
			got := fields(violations(t, ecrreplication.ValidateInput(in)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ValidateInput violated fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateInputNil(t *testing.T) {
	err := ecrreplication.ValidateInput(nil)
	if len(violations(t, err)) != 1 {
		t.Fatalf("ValidateInput(nil) = %v, want one violation", err)
	}
}

func TestValidationErrorMessage(t *testing.T) {
	in := validInput()
	in.RepositoryName = aws.String("Foo")
	in.RegistryId = aws.String("12")
	err := ecrreplication.ValidateInput(in)
	want := []ecrreplication.Violation{
		{Field: "repositoryName", Value: "Foo", Constraint: "must be lower case: components of lower-case letters and digits, separated by single '.', '_' or '-', joined by '/' (pattern " + ecrreplication.RepositoryNamePattern + ")"},
		{Field: "registryId", Value: "12", Constraint: "must be exactly 12 digits (an AWS account ID), got 2 characters"},
	}
	if diff := cmp.Diff(want, violations(t, err)); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	wantMsg := `ecrreplication: invalid input: repositoryName "Foo" ` + want[0].Constraint + `; registryId "12" ` + want[1].Constraint
	if got := err.Error(); got != wantMsg {
		t.Errorf("Error() = %q, want %q", got, wantMsg)
	}
}

func TestValidationErrorMessageIsBoundedAndEscaped(t *testing.T) {
	hostile := "evil\nlevel=INFO msg=\"forged\"" + strings.Repeat("x", 1000)
	err := ecrreplication.ValidateImageTag(hostile)
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("message contains a raw newline: %q", msg)
	}
	if strings.Contains(msg, strings.Repeat("x", 65)) {
		t.Errorf("message shows more than 64 characters of the value: %q", msg)
	}
	wantPrefix := `ecrreplication: invalid input: imageId.imageTag "evil\nlevel=INFO msg=\"forged\"` + strings.Repeat("x", 64-len("evil\nlevel=INFO msg=\"forged\"")) + `"... (1028 characters)`
	wantPrefix += " must be 1 to 300 characters long, got 1028; imageId.imageTag " + wantPrefix[len(`ecrreplication: invalid input: imageId.imageTag `):] +
		" must not contain white space or control characters, found U+000A at character 5"
	if msg != wantPrefix {
		t.Errorf("Error() =\n%q\nwant\n%q", msg, wantPrefix)
	}
}

func TestSingleFieldValidators(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) error
		value string
		valid bool
	}{
		{"repository ok", ecrreplication.ValidateRepositoryName, "a/b.c_d-e/f", true},
		{"repository upper", ecrreplication.ValidateRepositoryName, "Team/app", false},
		{"repository leading slash", ecrreplication.ValidateRepositoryName, "/app", false},
		{"registry ok", ecrreplication.ValidateRegistryID, "000000000000", true},
		{"registry 13", ecrreplication.ValidateRegistryID, "0000000000000", false},
		{"tag ok", ecrreplication.ValidateImageTag, "latest", true},
		{"tag 300 runes", ecrreplication.ValidateImageTag, strings.Repeat("é", 300), true},
		{"tag empty", ecrreplication.ValidateImageTag, "", false},
		{"digest ok", ecrreplication.ValidateImageDigest, validDigest, true},
		{"digest bad algorithm separator", ecrreplication.ValidateImageDigest, "sha256+:abc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(tt.value)
			if got := err == nil; got != tt.valid {
				t.Errorf("check(%q) = %v, want valid=%v", tt.value, err, tt.valid)
			}
			if err != nil && !errors.Is(err, ecrreplication.ErrValidation) {
				t.Errorf("errors.Is(%v, ErrValidation) = false", err)
			}
		})
	}
}

func TestValidateInputDoesNotAllocate(t *testing.T) {
	in := validInput()
	if n := testing.AllocsPerRun(100, func() { _ = ecrreplication.ValidateInput(in) }); n != 0 {
		t.Errorf("ValidateInput on a valid input: %v allocs/op, want 0", n)
	}
}

// The oracle: regular expressions built from the documented patterns.
var (
	oracleRepositoryRE = regexp.MustCompile(`^(?:` + ecrreplication.RepositoryNamePattern + `)$`)
	oracleRegistryRE   = regexp.MustCompile(`^[0-9]{12}$`)
	oracleDigestRE     = regexp.MustCompile(`^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`)
	oracleSHA256RE     = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	oracleSHA512RE     = regexp.MustCompile(`^sha512:[a-f0-9]{128}$`)
	// oracleBlankRE matches white space (Unicode White_Space, as
	// unicode.IsSpace) or a control character (Cc).
	oracleBlankRE = regexp.MustCompile(`[\p{Cc}\x{0085}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000} ]`)
)

func oracleRepositoryName(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 2 && n <= 256 && oracleRepositoryRE.MatchString(s)
}

func oracleRegistryID(s string) bool { return oracleRegistryRE.MatchString(s) }

func oracleImageTag(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 1 && n <= 300 && utf8.ValidString(s) && !oracleBlankRE.MatchString(s)
}

func oracleImageDigest(s string) bool {
	switch {
	case !oracleDigestRE.MatchString(s):
		return false
	case strings.HasPrefix(s, "sha256:"):
		return oracleSHA256RE.MatchString(s)
	case strings.HasPrefix(s, "sha512:"):
		return oracleSHA512RE.MatchString(s)
	}
	return true
}

// oracleValidateInput is ValidateInput written with the oracle's regexps.
func oracleValidateInput(in *ecr.DescribeImageReplicationStatusInput) bool {
	if in == nil || in.RepositoryName == nil || !oracleRepositoryName(*in.RepositoryName) {
		return false
	}
	if in.RegistryId != nil && !oracleRegistryID(*in.RegistryId) {
		return false
	}
	id := in.ImageId
	if id == nil || id.ImageTag == nil && id.ImageDigest == nil {
		return false
	}
	if id.ImageTag != nil && !oracleImageTag(*id.ImageTag) {
		return false
	}
	return id.ImageDigest == nil || oracleImageDigest(*id.ImageDigest)
}

func fuzzAgainstOracle(f *testing.F, check func(string) error, oracle func(string) bool) {
	f.Fuzz(func(t *testing.T, s string) {
		err := check(s)
		if want := oracle(s); (err == nil) != want {
			t.Fatalf("check(%q) = %v, oracle says valid=%v", s, err, want)
		}
		if err != nil {
			_ = err.Error() // formatting must not panic either
		}
	})
}

func FuzzValidateRepositoryName(f *testing.F) {
	fuzzAgainstOracle(f, ecrreplication.ValidateRepositoryName, oracleRepositoryName)
}

func FuzzValidateRegistryID(f *testing.F) {
	fuzzAgainstOracle(f, ecrreplication.ValidateRegistryID, oracleRegistryID)
}

func FuzzValidateImageTag(f *testing.F) {
	fuzzAgainstOracle(f, ecrreplication.ValidateImageTag, oracleImageTag)
}

func FuzzValidateImageDigest(f *testing.F) {
	fuzzAgainstOracle(f, ecrreplication.ValidateImageDigest, oracleImageDigest)
}

// FuzzValidateInput checks the whole input, with optional fields, against the
// oracle.
func FuzzValidateInput(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, registry, tag, digest string, mask uint8) {
		in := &ecr.DescribeImageReplicationStatusInput{}
		if mask&1 != 0 {
			in.RepositoryName = aws.String(name)
		}
		if mask&2 != 0 {
			in.RegistryId = aws.String(registry)
		}
		if mask&4 != 0 {
			in.ImageId = &types.ImageIdentifier{}
			if mask&8 != 0 {
				in.ImageId.ImageTag = aws.String(tag)
			}
			if mask&16 != 0 {
				in.ImageId.ImageDigest = aws.String(digest)
			}
		}
		err := ecrreplication.ValidateInput(in)
		if want := oracleValidateInput(in); (err == nil) != want {
			t.Fatalf("ValidateInput(%+v) = %v, oracle says valid=%v", in, err, want)
		}
	})
}

func BenchmarkValidateInput(b *testing.B) {
	in := validInput()
	b.ReportAllocs()
	for b.Loop() {
		if err := ecrreplication.ValidateInput(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateInputRegexp(b *testing.B) {
	in := validInput()
	b.ReportAllocs()
	for b.Loop() {
		if !oracleValidateInput(in) {
			b.Fatal("oracle rejects a valid input")
		}
	}
}
