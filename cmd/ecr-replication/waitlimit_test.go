package main

import (
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// Issue 15, point 1, as reported: a server that holds the first request open
// and answers every later one with all destinations COMPLETE. The first poll
// is cut by its 10s attempt timeout; half of --timeout is left, so the wait
// polls again after --min-delay and exits 0 after about 11s, not 3 after 10s.
func TestWaitHungFirstPollUsesTheRest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := &scripted{answer: func(n int, req *http.Request) (*http.Response, error) {
			if n == 1 {
				return hung(n, req)
			}
			return reply(req, http.StatusOK, strings.NewReader(statusBody(`[{"region":"us-west-2","registryId":"123456789012","status":"COMPLETE"}]`))), nil
		}}
		start := time.Now()
		got := runVia(t.Context(), rt.client(), append(scriptedArgs, "wait", "--repository", "team/app", "--tag", "v1",
			"--timeout", "20s", "--min-delay", "1s", "--max-delay", "2s", "--since", "wait-start", "--output", "json"))
		took := time.Since(start)
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		// 10s for the hung poll, then the first delay: 1s to 1.1s (jitter).
		if took < 11*time.Second || took > 11100*time.Millisecond {
			t.Errorf("the wait took %v, want 11s to 11.1s", took)
		}
		if n := rt.calls(); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
		doc := imageOf(t, got.stdout)
		if doc["attempts"] != 2.0 || doc["answers"] != 1.0 || doc["complete"] != true {
			t.Errorf("attempts %v, answers %v, complete %v; want 2, 1, true", doc["attempts"], doc["answers"], doc["complete"])
		}
	})
}

// Issue 15, point 2: --timeout shorter than --min-delay (3s by default)
// leaves room for one poll. The command says so before it starts, the
// timeout's message says why no second poll came, and the hint says what to
// change, instead of a bare "timed out after 2ms".
func TestWaitTimeoutShorterThanMinDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := &scripted{answer: func(n int, req *http.Request) (*http.Response, error) {
			return reply(req, http.StatusOK, strings.NewReader(statusBody(`[{"region":"us-west-2","registryId":"123456789012","status":"IN_PROGRESS"}]`))), nil
		}}
		got := runVia(t.Context(), rt.client(), append(scriptedArgs, "wait", "--repository", "app", "--tag", "v1", "--timeout", "1s", "--since", "wait-start"))
		if got.code != exitTimeout {
			t.Fatalf("exit code %d, want 3; stderr:\n%s", got.code, got.stderr)
		}
		if n := rt.calls(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
		for _, want := range []string{
			"ecr-replication: warning: --timeout 1s is not longer than --min-delay 3s, so the wait can poll only once\n",
			"timed out after 0s (no second poll fits in the 1s limit: polls are at least MinDelay 3s apart), still pending: us-west-2 123456789012 IN_PROGRESS (1 attempt in 0s)\n",
			"ecr-replication: hint: polls are at least --min-delay 3s apart, so --timeout 1s left room for one poll only: raise --timeout, or lower --min-delay\n",
		} {
			if !strings.Contains(got.stderr, want) {
				t.Errorf("stderr does not say %q:\n%s", want, got.stderr)
			}
		}
	})
}
