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
)

// retryableStatus: rate limits and busy resources are worth another attempt.
func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusConflict
}

// retryDelay is the wait before retry number n (0 for the first): the server's Retry-After
// when it gave one (given), else back-off doubling from 0.5 s up to 8 s with the upper half
// jittered, so that clients refused together do not come back together.
func retryDelay(n int, retryAfter time.Duration, given bool) time.Duration {
	if given {
		return retryAfter
	}
	ceiling := backoffCap
	if n < 5 {
		ceiling = backoffBase << n
	}
	if ceiling > backoffCap {
		ceiling = backoffCap
	}
	half := ceiling / 2
	return half + time.Duration(randomUint64()%uint64(half+1))
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
