package safetext_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

func TestLine(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"eu-west-1", 0, "eu-west-1"},
		{"Rate exceeded, retry in 2 s", 0, "Rate exceeded, retry in 2 s"},
		{"héllo wörld ✓", 0, "héllo wörld ✓"},
		{"v1\n[  9.9s] FORGED", 0, `v1\n[  9.9s] FORGED`},
		{"\x1b[31mred\x1b[0m", 0, `\x1b[31mred\x1b[0m`},
		{"cr\rtab\tbell\a del\x7f", 0, `cr\rtab\tbell\a del\x7f`},
		{"c1\u0085\u009b", 0, `c1\u0085\u009b`},
		{"bidi\u202eevil\u2066", 0, `bidi\u202eevil\u2066`},
		{"line\u2028para\u2029", 0, `line\u2028para\u2029`},
		{"zero\u200bwidth\ufeff", 0, `zero\u200bwidth\ufeff`},
		{"bad\xff\xfeutf8", 0, `bad\xff\xfeutf8`},
		{"abcdef", 3, "abc…"},
		{"a\nbcdef", 3, `a\nb…`},
		{"ééééé", 2, "éé…"},
		{strings.Repeat("x", 2000), 0, strings.Repeat("x", safetext.MaxLength) + "…"},
	}
	for _, tt := range tests {
		if got := safetext.Line(tt.in, tt.limit); got != tt.want {
			t.Errorf("Line(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

// Text that needs no change comes back as it is, without allocating.
func TestLineCleanDoesNotAllocate(t *testing.T) {
	in := "ecrreplication: waiting for team/api:v1: replication failed to eu-west-1 123456789012 FAILED"
	if n := testing.AllocsPerRun(100, func() { _ = safetext.Line(in, 0) }); n != 0 {
		t.Errorf("Line of clean text: %v allocations, want 0", n)
	}
}

// Whatever the input, the result is valid UTF-8 on one line with no control
// or format character, shows at most limit characters of the input, and
// is the input itself when that was already safe.
func FuzzLine(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, limit uint8) {
		got := safetext.Line(s, int(limit))
		if !utf8.ValidString(got) {
			t.Fatalf("Line(%q) = %q: invalid UTF-8", s, got)
		}
		checkOneLine(t, "SafeText", got)
		max := int(limit)
		if max == 0 {
			max = safetext.MaxLength
		}
		if n := utf8.RuneCountInString(s); n <= max && !strings.ContainsFunc(s, notGraphic) && utf8.ValidString(s) && got != s {
			t.Fatalf("Line(%q) = %q, want it unchanged", s, got)
		}
		// Each input character becomes at most an escape of 10 bytes.
		if len(got) > 10*max+len("…") {
			t.Fatalf("Line(%q, %d) is %d bytes long", s, limit, len(got))
		}
	})
}

// notGraphic reports whether Line escapes r: anything but a graphic
// character or a space, and the format and separator characters.
func notGraphic(r rune) bool {
	return !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)
}

// checkOneLine fails when s could add a line, move the cursor, change
// colours or reorder text on a terminal.
func checkOneLine(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || r == unicode.ReplacementChar {
			t.Errorf("%s has the character %U: %q", what, r, s)
			return
		}
	}
}
