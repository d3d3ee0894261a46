//go:build !race

package ecrreplication_test

// raceEnabled says that the race detector is on (see race_test.go).
const raceEnabled = false
