package ecrtest_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestConcurrentUse(t *testing.T) {
	modes(t, func(t *testing.T, newServer func(...func(*ecrtest.Options)) *ecrtest.Server) {
		srv := newServer()
		defer srv.Close()
		replicateTo(t, srv, "us-west-2")
		c := srv.Client(noRetry)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				repo := fmt.Sprintf("repo-%d", i)
				for j := range 10 {
					tag := fmt.Sprintf("v%d", j)
					if _, err := srv.PushImage(repo, tag); err != nil {
						t.Error(err)
						return
					}
					srv.InjectFault(opStatus, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 1)
					// Errors are expected here (injected faults); the point is
					// the absence of races.
					_, _ = c.DescribeImageReplicationStatus(context.Background(), byTag(repo, tag))
					_ = srv.Calls(opStatus)
					_ = srv.CallCount("")
				}
			}()
		}
		wg.Wait()
		if got := srv.CallCount(opStatus); got != 80 {
			t.Errorf("CallCount = %d, want 80", got)
		}
	})
}

func TestCloseWaitsForInFlightRequests(t *testing.T) {
	srv := ecrtest.NewServer()
	push(t, srv, "app", "v1")
	srv.InjectFault(opStatus, ecrtest.Fault{Kind: ecrtest.FaultLatency, Latency: 50 * time.Millisecond}, 1)
	c := srv.Client(noRetry)
	done := make(chan error, 1)
	go func() {
		_, err := c.DescribeImageReplicationStatus(context.Background(), byTag("app", "v1"))
		done <- err
	}()
	for srv.CallCount(opStatus) == 0 {
		runtime.Gosched()
	}
	srv.Close()
	if err := <-done; err != nil {
		t.Errorf("in-flight request failed: %v", err)
	}
	if _, err := c.DescribeImageReplicationStatus(context.Background(), byTag("app", "v1")); err == nil {
		t.Error("request after Close succeeded")
	}
	srv.Close() // idempotent
}

func TestInMemoryCloseWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer()
		push(t, srv, "app", "v1")
		srv.InjectFault(opStatus, ecrtest.Fault{Kind: ecrtest.FaultLatency, Latency: time.Minute}, 1)
		c := srv.Client(noRetry)
		done := make(chan error, 1)
		go func() {
			_, err := c.DescribeImageReplicationStatus(context.Background(), byTag("app", "v1"))
			done <- err
		}()
		synctest.Wait() // the call is sleeping in the handler
		start := time.Now()
		srv.Close()
		if got := time.Since(start); got != time.Minute {
			t.Errorf("Close returned after %v, want it to wait the 1m in-flight call", got)
		}
		if err := <-done; err != nil {
			t.Errorf("in-flight request failed: %v", err)
		}
		if _, err := c.DescribeImageReplicationStatus(context.Background(), byTag("app", "v1")); err == nil {
			t.Error("request after Close succeeded")
		}
	})
}

func TestNoGoroutinesAfterClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, newServer := range []func(...func(*ecrtest.Options)) *ecrtest.Server{ecrtest.NewServer, ecrtest.NewInMemoryServer} {
		srv := newServer()
		push(t, srv, "app", "v1")
		poll(t, srv.Client(noRetry), byTag("app", "v1"))
		srv.Close()
	}
}
