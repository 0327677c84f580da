package stagdb

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 8 * time.Second
	// maxRetryAfter: a longer Retry-After is returned as the error at once rather than slept through.
	maxRetryAfter = 60 * time.Second
)

// failedAnswer is what a failed attempt that had an answer tells about retrying it.
type failedAnswer struct {
	status          int
	retryAfter      time.Duration
	retryAfterGiven bool
	// replayed: the server answered from the stored answer for the Idempotency-Key.
	replayed bool
}

// backoff is the wait before retry number n (0 for the first) after a busy resource or a
// network failure: exponential with full jitter, uniformly up to 0.5 s × 2^n, at most 8 s.
func backoff(n int) time.Duration {
	ceiling := backoffCap
	if n < 5 {
		ceiling = backoffBase << n
	}
	if ceiling > backoffCap {
		ceiling = backoffCap
	}
	return time.Duration(randomUint64() % uint64(ceiling+1))
}

// retryDelay is the wait before retrying an answered attempt, and false when the answer is
// final: RATE_LIMITED waits Retry-After (plus up to 0.5 s; back-off when there is none;
// final when it is over a minute); RESOURCE_BUSY backs off, unless the server replayed it
// for the Idempotency-Key, which makes it that call's final answer.
func retryDelay(f failedAnswer, n int) (time.Duration, bool) {
	switch {
	case f.status == http.StatusTooManyRequests && !f.retryAfterGiven:
		return backoff(n), true
	case f.status == http.StatusTooManyRequests && f.retryAfter <= maxRetryAfter:
		return f.retryAfter + time.Duration(randomUint64()%uint64(backoffBase)), true
	case f.status == http.StatusConflict && !f.replayed:
		return backoff(n), true
	default:
		return 0, false
	}
}

// randomUint64 draws from crypto/rand: Go 1.19's math/rand starts every process on the
// same sequence, which would make every client's jitter the same.
func randomUint64() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0
	}
	return binary.BigEndian.Uint64(b[:])
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date; ok is false when the
// header is missing or unreadable.
func parseRetryAfter(value string) (wait time.Duration, ok bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if seconds, err := strconv.ParseFloat(value, 64); err == nil && seconds >= 0 {
		return time.Duration(seconds * float64(time.Second)), true
	}
	if when, err := http.ParseTime(value); err == nil {
		if wait := time.Until(when); wait > 0 {
			return wait, true
		}
		return 0, true
	}
	return 0, false
}

// sleep waits d, or less if ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
