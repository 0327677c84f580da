package stagdb_test

import (
	"errors"
	"net/http"
	"regexp"
	"sync"
	"testing"

	stagdb "github.com/stagdb/stagdb-go"
)

func TestLiveHealth(t *testing.T) {
	health, err := liveClient(t).Health(liveContext(t))
	if err != nil || health.Status != "healthy" || health.Dependencies.Docker.Status != "up" {
		t.Fatalf("got %+v, %v", health, err)
	}
}

func TestLiveErrors(t *testing.T) {
	c := liveClient(t)
	ctx := liveContext(t)

	_, err := c.Databases.Get(ctx, "no-such-database")
	var apiErr *stagdb.Error
	if !errors.As(err, &apiErr) || !stagdb.IsNotFound(err) || apiErr.StatusCode != 404 {
		t.Fatalf("unknown database: %v", err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(apiErr.RequestID) {
		t.Errorf("request id %q", apiErr.RequestID)
	}

	if _, err := c.Databases.Create(ctx, stagdb.CreateDatabaseParams{Name: "Not A Name", Type: "postgresql"}); !stagdb.IsValidation(err) {
		t.Errorf("bad name: %v", err)
	}

	stranger := stagdb.NewClient(c.BaseURL(), "sdb_not_a_key")
	if _, err := stranger.Webhooks.Get(ctx, "wh-000000000000"); !stagdb.IsUnauthorized(err) {
		t.Errorf("unknown key: %v", err)
	}
}

// recorder is a RoundTripper that notes each attempt's status and Idempotency-Key.
type recorder struct {
	mu       sync.Mutex
	attempts []attempt
}

type attempt struct {
	status int
	key    string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		r.mu.Lock()
		r.attempts = append(r.attempts, attempt{resp.StatusCode, req.Header.Get("Idempotency-Key")})
		r.mu.Unlock()
	}
	return resp, err
}

func TestLiveResourceBusyIsRetried(t *testing.T) {
	rec := &recorder{}
	c := liveClient(t, stagdb.WithHTTPClient(&http.Client{Transport: rec}))
	ctx := liveContext(t)
	db := createDatabase(t, c, "go-busy")

	var wg sync.WaitGroup
	statuses := make([]string, 2)
	errs := make([]error, 2)
	for i := range statuses {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			stopped, err := c.Databases.Stop(ctx, db.ID)
			errs[i] = err
			if err == nil {
				statuses[i] = stopped.Status
			}
		}(i)
	}
	wg.Wait()
	for i := range statuses {
		if errs[i] != nil || statuses[i] != "stopped" {
			t.Fatalf("stop %d: %q, %v", i, statuses[i], errs[i])
		}
	}
	busy := 0
	for _, a := range rec.attempts {
		if a.status != http.StatusConflict {
			continue
		}
		busy++
		succeeded := false
		for _, other := range rec.attempts {
			succeeded = succeeded || (other.key == a.key && other.status == http.StatusOK)
		}
		if !succeeded {
			t.Errorf("the busy attempt with key %s was not retried to success", a.key)
		}
	}
	if busy == 0 {
		t.Error("the second stop should have found the database busy")
	}
}
