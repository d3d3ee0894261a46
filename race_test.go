//go:build race

package ecrreplication_test

// raceEnabled says that the race detector is on: it adds allocations of its
// own, so allocation budgets are not checked under it.
const raceEnabled = true
