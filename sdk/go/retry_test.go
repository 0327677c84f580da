package stagdb_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	stagdb "github.com/stagdb/stagdb-go"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

var created = reply{status: 201, body: map[string]interface{}{"success": true, "data": map[string]string{"id": "db-1"}}}

func TestRateLimitWaitsRetryAfterAndKeepsTheKey(t *testing.T) {
	s := newStub(t, failure(429, "RATE_LIMITED", map[string]string{"Retry-After": "1"}), created)
	started := time.Now()
	db, err := s.client().Databases.Create(context.Background(), stagdb.CreateDatabaseParams{Name: "x", Type: "postgresql"})
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(started); waited < time.Second {
		t.Errorf("waited %v, Retry-After said 1 s", waited)
	}
	if db.ID != "db-1" {
		t.Errorf("got %q", db.ID)
	}
	requests := s.recorded()
	if len(requests) != 2 {
		t.Fatalf("%d requests, want 2", len(requests))
	}
	key := requests[0].header.Get("Idempotency-Key")
	if !uuidV4.MatchString(key) || requests[1].header.Get("Idempotency-Key") != key {
		t.Errorf("keys %q and %q: want one UUID v4 on both", key, requests[1].header.Get("Idempotency-Key"))
	}
	if requests[0].body != `{"name":"x","type":"postgresql"}` {
		t.Errorf("body %s", requests[0].body)
	}
}

func TestResourceBusyIsRetried(t *testing.T) {
	s := newStub(t, failure(409, "RESOURCE_BUSY", nil), failure(409, "RESOURCE_BUSY", nil),
		ok(map[string]string{"id": "db-1", "status": "stopped"}))
	db, err := s.client().Databases.Stop(context.Background(), "db-1")
	if err != nil || db.Status != "stopped" {
		t.Fatalf("got %+v, %v", db, err)
	}
	if n := len(s.recorded()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestDroppedConnectionIsRetriedWithTheSameKey(t *testing.T) {
	s := newStub(t, reply{drop: true}, created)
	if _, err := s.client().Databases.Create(context.Background(), stagdb.CreateDatabaseParams{Name: "x", Type: "postgresql"}); err != nil {
		t.Fatal(err)
	}
	requests := s.recorded()
	if len(requests) != 2 || requests[0].header.Get("Idempotency-Key") != requests[1].header.Get("Idempotency-Key") {
		t.Errorf("want two attempts with one key, got %+v", requests)
	}
}

func TestEachCallHasItsOwnKeyAndOnlyPostsHaveOne(t *testing.T) {
	s := newStub(t, created, created, ok(map[string]string{}), ok(map[string]string{}), ok(nil))
	ctx := context.Background()
	c := s.client()
	for _, name := range []string{"x", "y"} {
		if _, err := c.Databases.Create(ctx, stagdb.CreateDatabaseParams{Name: name, Type: "postgresql"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Databases.Get(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Databases.Update(ctx, "x", stagdb.UpdateDatabaseParams{Description: stagdb.String("d")}); err != nil {
		t.Fatal(err)
	}
	if err := c.Databases.Delete(ctx, "x", stagdb.DeleteOptions{Cascade: true}); err != nil {
		t.Fatal(err)
	}
	requests := s.recorded()
	if requests[0].header.Get("Idempotency-Key") == requests[1].header.Get("Idempotency-Key") {
		t.Error("two creates shared a key")
	}
	for _, r := range requests[2:] {
		if key := r.header.Get("Idempotency-Key"); key != "" {
			t.Errorf("%s %s carried key %q", r.method, r.uri, key)
		}
	}
	if requests[4].uri != "/v1/databases/x?cascade=true" {
		t.Errorf("delete went to %s", requests[4].uri)
	}
}

func TestRetriesStopAtTheLimit(t *testing.T) {
	s := newStub(t,
		failure(429, "RATE_LIMITED", map[string]string{"Retry-After": "0"}),
		failure(429, "RATE_LIMITED", map[string]string{"Retry-After": "0"}),
		failure(429, "RATE_LIMITED", map[string]string{"Retry-After": "7"}))
	_, err := s.client(stagdb.WithRetries(2)).Databases.Start(context.Background(), "x")
	var apiErr *stagdb.Error
	if !errors.As(err, &apiErr) || !stagdb.IsRateLimited(err) {
		t.Fatalf("got %v", err)
	}
	if apiErr.RetryAfter != 7*time.Second || apiErr.StatusCode != 429 || apiErr.RequestID != "req-stub" {
		t.Errorf("got %+v", apiErr)
	}
	if n := len(s.recorded()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestNoRetriesWithZeroAndNoneForValidation(t *testing.T) {
	s := newStub(t, failure(409, "RESOURCE_BUSY", nil), failure(400, "VALIDATION_ERROR", nil), created)
	if _, err := s.client(stagdb.WithRetries(0)).Databases.Stop(context.Background(), "x"); !stagdb.IsResourceBusy(err) {
		t.Errorf("got %v", err)
	}
	if _, err := s.client().Databases.Create(context.Background(), stagdb.CreateDatabaseParams{Name: "X"}); !stagdb.IsValidation(err) {
		t.Errorf("got %v", err)
	}
	if n := len(s.recorded()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestARetryAfterOverAMinuteIsReturnedAtOnce(t *testing.T) {
	s := newStub(t, failure(429, "RATE_LIMITED", map[string]string{"Retry-After": "1536"}), created)
	_, err := s.client().Databases.Create(context.Background(), stagdb.CreateDatabaseParams{Name: "x", Type: "postgresql"})
	var apiErr *stagdb.Error
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != 1536*time.Second {
		t.Fatalf("got %v", err)
	}
	if n := len(s.recorded()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestAReplayedResourceBusyIsFinal(t *testing.T) {
	s := newStub(t, failure(409, "RESOURCE_BUSY", nil),
		failure(409, "RESOURCE_BUSY", map[string]string{"Idempotent-Replayed": "true"}), created)
	if _, err := s.client().Databases.Stop(context.Background(), "x"); !stagdb.IsResourceBusy(err) {
		t.Fatalf("got %v", err)
	}
	if n := len(s.recorded()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestNoAnswerIsTheUnderlyingError(t *testing.T) {
	s := newStub(t, reply{drop: true}, reply{drop: true})
	_, err := s.client(stagdb.WithRetries(1)).Databases.Get(context.Background(), "x")
	var apiErr *stagdb.Error
	if err == nil || errors.As(err, &apiErr) {
		t.Fatalf("want a transport error, got %v", err)
	}
	if n := len(s.recorded()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestCancellingTheContextEndsTheWait(t *testing.T) {
	s := newStub(t, failure(429, "RATE_LIMITED", map[string]string{"Retry-After": "60"}))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	started := time.Now()
	_, err := s.client().Databases.Get(ctx, "x")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(started) > 5*time.Second {
		t.Errorf("got %v after %v", err, time.Since(started))
	}
}
