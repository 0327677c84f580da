package stagdb_test

import (
	"errors"
	"fmt"
	"io"
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

// recorder is a RoundTripper that notes each attempt; with loseFirstPost, the first POST's
// answer is lost on the way back (the server did the work; the client sees a network failure).
type recorder struct {
	mu            sync.Mutex
	attempts      []attempt
	loseFirstPost bool
}

type attempt struct {
	method   string
	status   int
	key      string
	replayed bool
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts = append(r.attempts, attempt{
		req.Method, resp.StatusCode, req.Header.Get("Idempotency-Key"), resp.Header.Get("Idempotent-Replayed") == "true",
	})
	if req.Method == http.MethodPost && r.loseFirstPost {
		r.loseFirstPost = false
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("the answer was lost")
	}
	return resp, nil
}

func TestLiveResourceBusyIsRetried(t *testing.T) {
	c := liveClient(t)
	ctx := liveContext(t)
	db := createDatabase(t, c, "go-busy")
	rec := &recorder{}
	recorded := liveClient(t, stagdb.WithHTTPClient(&http.Client{Transport: rec}))

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			updated, err := recorded.Databases.Update(ctx, db.ID, stagdb.UpdateDatabaseParams{
				Resources: &stagdb.ResourcesInput{Memory: "256m"},
			})
			if err == nil && (updated.Resources.Memory == nil || *updated.Resources.Memory != "256m") {
				err = fmt.Errorf("memory limit %v", updated.Resources.Memory)
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
	}
	busy, succeeded := 0, 0
	for _, a := range rec.attempts {
		switch a.status {
		case http.StatusConflict:
			busy++
		case http.StatusOK:
			succeeded++
		}
	}
	if busy == 0 || succeeded != 2 {
		t.Errorf("attempts %+v: want a 409 retried to two 200s", rec.attempts)
	}
}

func TestLiveLostCreateAnswerIsReplayed(t *testing.T) {
	rec := &recorder{loseFirstPost: true}
	c := liveClient(t, stagdb.WithHTTPClient(&http.Client{Transport: rec}))
	ctx := liveContext(t)
	name := uniqueName("go-once")
	db, err := c.Databases.Create(ctx, stagdb.CreateDatabaseParams{Name: name, Type: "postgresql"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Databases.Delete(ctx, db.ID, stagdb.DeleteOptions{}); err != nil {
		t.Error(err)
	}
	if db.Name != name || len(rec.attempts) < 2 {
		t.Fatalf("created %+v after %+v", db, rec.attempts)
	}
	first, second := rec.attempts[0], rec.attempts[1]
	if first.status != 201 || second.status != 201 || second.key != first.key || !second.replayed {
		t.Errorf("attempts %+v: want the retry answered from the stored answer, with the same key", rec.attempts)
	}
}
