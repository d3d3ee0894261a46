// Package safetext makes any text safe to print on one line of a terminal or
// a log. It is the one place where the library's error messages and the
// command's output are escaped.
package safetext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLength is the number of characters Line keeps when it is given no
// limit, and the cap on every message the library's errors carry.
const MaxLength = 1024

// Line returns s ready to print on one line of a terminal or a log,
// whatever it holds: control characters (C0, DEL, C1), Unicode line and
// paragraph separators, bidirectional and other format characters are
// written as Go escapes (\n, \x1b, \u202e), each byte of invalid UTF-8 as
// \xff, and text beyond limit characters is cut and marked with "…". So the
// result can neither add a line, move the cursor nor change colours. A limit
// of zero or less means MaxLength. Text that needs no change is returned
// as it is, without allocating.
//
// Values meant for machines, such as JSON documents, should keep the exact
// text and rely on their own escaping instead.
func Line(s string, limit int) string {
	if limit <= 0 {
		limit = MaxLength
	}
	n, clean := 0, true
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if n == limit || !safeRune(r, size) {
			clean = false
			break
		}
		n++
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), 4*limit) + 3)
	n = 0
	for i := 0; i < len(s); {
		if n == limit {
			b.WriteString("…")
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(s[i])&0xf, 16))
		case !safeRune(r, size):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		n++
		i += size
	}
	return b.String()
}

// safeRune reports whether r, decoded from size bytes, can be printed as it
// is: a graphic character or a plain space, and valid UTF-8.
func safeRune(r rune, size int) bool {
	if r < utf8.RuneSelf {
		return r >= ' ' && r != 0x7f
	}
	if r == utf8.RuneError && size == 1 {
		return false
	}
	return unicode.IsGraphic(r) && !unicode.Is(unicode.Cf, r) && !unicode.Is(unicode.Zl, r) && !unicode.Is(unicode.Zp, r)
}
