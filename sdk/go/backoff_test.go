package stagdb

import (
	"net/http"
	"testing"
	"time"
)

func TestBackoffDoublesToEightSecondsJittered(t *testing.T) {
	ceilings := []time.Duration{500, 1000, 2000, 4000, 8000, 8000, 8000}
	for retry, ceiling := range ceilings {
		ceiling *= time.Millisecond
		for sample := 0; sample < 50; sample++ {
			if d := retryDelay(retry, 0, false); d < ceiling/2 || d > ceiling {
				t.Fatalf("retry %d waited %v, want %v to %v", retry, d, ceiling/2, ceiling)
			}
		}
	}
	if d := retryDelay(100, 0, false); d > 8*time.Second {
		t.Errorf("retry 100 waited %v", d)
	}
}

func TestRetryAfterIsUsedAsGiven(t *testing.T) {
	if d := retryDelay(0, 12*time.Second, true); d != 12*time.Second {
		t.Errorf("got %v", d)
	}
	if d := retryDelay(3, 0, true); d != 0 {
		t.Errorf("Retry-After 0 waited %v", d)
	}
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
