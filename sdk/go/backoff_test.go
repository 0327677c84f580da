package stagdb

import (
	"net/http"
	"testing"
	"time"
)

func TestBackoffIsFullJitterDoublingToEightSeconds(t *testing.T) {
	ceilings := []time.Duration{500, 1000, 2000, 4000, 8000, 8000, 8000}
	for retry, ceiling := range ceilings {
		ceiling *= time.Millisecond
		for sample := 0; sample < 50; sample++ {
			if d := backoff(retry); d < 0 || d > ceiling {
				t.Fatalf("retry %d waited %v, want at most %v", retry, d, ceiling)
			}
		}
	}
	if d := backoff(100); d > 8*time.Second {
		t.Errorf("retry 100 waited %v", d)
	}
}

func TestRetryAfterPlusJitterAndOverAMinuteIsFinal(t *testing.T) {
	d, retry := retryDelay(failedAnswer{status: 429, retryAfter: 12 * time.Second, retryAfterGiven: true}, 0)
	if !retry || d < 12*time.Second || d > 12500*time.Millisecond {
		t.Errorf("got %v, %v", d, retry)
	}
	if _, retry := retryDelay(failedAnswer{status: 429, retryAfter: 61 * time.Second, retryAfterGiven: true}, 0); retry {
		t.Error("a Retry-After over a minute was waited for")
	}
	if d, retry := retryDelay(failedAnswer{status: 429}, 0); !retry || d > 500*time.Millisecond {
		t.Errorf("a 429 without Retry-After: %v, %v", d, retry)
	}
}

func TestOnlyAFreshResourceBusyIsRetried(t *testing.T) {
	if _, retry := retryDelay(failedAnswer{status: 409}, 0); !retry {
		t.Error("a RESOURCE_BUSY was not retried")
	}
	if _, retry := retryDelay(failedAnswer{status: 409, replayed: true}, 0); retry {
		t.Error("a replayed RESOURCE_BUSY was retried")
	}
	for _, status := range []int{400, 401, 404, 500, 507} {
		if _, retry := retryDelay(failedAnswer{status: status}, 0); retry {
			t.Errorf("%d was retried", status)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	if d, ok := parseRetryAfter("3"); d != 3*time.Second || !ok {
		t.Errorf("got %v, %v", d, ok)
	}
	if d, ok := parseRetryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); d < 59*time.Minute || !ok {
		t.Errorf("an HTTP date an hour ahead gave %v, %v", d, ok)
	}
	if _, ok := parseRetryAfter("soon"); ok {
		t.Error("an unreadable Retry-After was taken")
	}
}
