package ecrreplication

// word shows a value the service or a caller gave (a region, a registry ID,
// a status, a failure code, a digest) in a message: as it is when it is short
// and made only of printable ASCII other than space, quotes and backslash;
// quoted and cut otherwise, so that an unusual value stands out and cannot
// forge or flood a message.
func word(s string) string {
	if s == "" || len(s) > maxQuoted {
		return quote(s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' || c == '`' {
			return quote(s)
		}
	}
	return s
}
