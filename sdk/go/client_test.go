package stagdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	stagdb "github.com/stagdb/stagdb-go"
)

func TestBaseURLWithOrWithoutV1(t *testing.T) {
	for _, given := range []string{"http://h:8080", "http://h:8080/", "http://h:8080/v1", "http://h:8080/v1/"} {
		if got := stagdb.NormalizeBaseURL(given); got != "http://h:8080/v1" {
			t.Errorf("%s became %s", given, got)
		}
	}
}

func TestSettingsFromTheEnvironment(t *testing.T) {
	s := newStub(t, ok(map[string]string{"id": "db-1"}))
	t.Setenv("STAGDB_URL", s.URL+"/v1/")
	t.Setenv("STAGDB_API_KEY", "sdb_from_env")
	if _, err := stagdb.NewClient("", "").Databases.Get(context.Background(), "db-1"); err != nil {
		t.Fatal(err)
	}
	r := s.recorded()[0]
	if r.uri != "/v1/databases/db-1" || r.header.Get("Authorization") != "Bearer sdb_from_env" {
		t.Errorf("got %s with %q", r.uri, r.header.Get("Authorization"))
	}
	if ua := r.header.Get("User-Agent"); ua != "stagdb-go/"+stagdb.Version {
		t.Errorf("User-Agent %q", ua)
	}
}

func TestWithUserAgentAndQueries(t *testing.T) {
	s := newStub(t, ok(map[string]interface{}{"lines": []interface{}{}}))
	c := s.client(stagdb.WithUserAgent("ci/1"))
	since := time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)
	if _, err := c.Databases.Logs(context.Background(), "a/b c", stagdb.LogsOptions{Tail: 5, Since: since}); err != nil {
		t.Fatal(err)
	}
	r := s.recorded()[0]
	if r.uri != "/v1/databases/a%2Fb%20c/logs?since=2025-01-15T10%3A30%3A00Z&tail=5" {
		t.Errorf("uri %s", r.uri)
	}
	if r.header.Get("User-Agent") != "ci/1" {
		t.Errorf("User-Agent %q", r.header.Get("User-Agent"))
	}
}

func TestErrorsCarryTheAnswer(t *testing.T) {
	cases := []struct {
		status int
		code   string
		is     func(error) bool
	}{
		{400, stagdb.CodeValidation, stagdb.IsValidation},
		{401, stagdb.CodeUnauthorized, stagdb.IsUnauthorized},
		{404, stagdb.CodeNotFound, stagdb.IsNotFound},
		{500, stagdb.CodeServerError, stagdb.IsServerError},
		{507, stagdb.CodeInsufficientResources, stagdb.IsInsufficientResources},
	}
	for _, tc := range cases {
		s := newStub(t, failure(tc.status, tc.code, nil))
		_, err := s.client().Databases.Get(context.Background(), "x")
		var apiErr *stagdb.Error
		if !errors.As(err, &apiErr) || !tc.is(err) {
			t.Fatalf("%s: got %v", tc.code, err)
		}
		if apiErr.Code != tc.code || apiErr.StatusCode != tc.status || apiErr.RequestID != "req-stub" ||
			apiErr.Message != tc.code+" from the stub" {
			t.Errorf("got %+v", apiErr)
		}
		if stagdb.IsNotFound(err) != (tc.code == stagdb.CodeNotFound) {
			t.Errorf("IsNotFound(%s) was wrong", tc.code)
		}
	}
}

func TestAnAnswerWithoutTheEnvelopeIsNamedByItsStatus(t *testing.T) {
	s := newStub(t, reply{status: 502, body: "<html>bad gateway</html>"})
	_, err := s.client(stagdb.WithRetries(0)).Databases.Get(context.Background(), "x")
	var apiErr *stagdb.Error
	if !errors.As(err, &apiErr) || apiErr.Code != stagdb.CodeServerError || apiErr.StatusCode != 502 {
		t.Errorf("got %v", err)
	}
}

func TestUnhealthyIsAnAnswer(t *testing.T) {
	s := newStub(t, reply{status: 503, body: map[string]interface{}{
		"success": false, "message": "down", "error": map[string]string{"code": "INSUFFICIENT_RESOURCES"},
		"data": map[string]interface{}{"status": "unhealthy", "dependencies": map[string]interface{}{
			"docker": map[string]interface{}{"status": "down", "latency_ms": 5001.3, "error": "docker is unavailable"},
		}},
	}})
	health, err := s.client().Health(context.Background())
	if err != nil || health.Status != "unhealthy" || health.Dependencies.Docker.Error != "docker is unavailable" {
		t.Errorf("got %+v, %v", health, err)
	}
}

func TestListAllWalksEveryPageByPages(t *testing.T) {
	item := func(id string) map[string]string { return map[string]string{"id": id} }
	s := newStub(t,
		page([]interface{}{item("a"), item("b")}, map[string]int{"page": 1, "limit": 2, "total": 5, "pages": 3}),
		page([]interface{}{item("c"), item("d")}, map[string]int{"page": 2, "limit": 2, "total": 5, "pages": 3}),
		page([]interface{}{item("e")}, map[string]int{"page": 3, "limit": 2, "total": 5, "pages": 3}))
	opts := stagdb.ListDatabasesOptions{ListOptions: stagdb.ListOptions{Limit: 2}, Status: "running"}
	var ids []string
	p := s.client().Databases.ListAll(context.Background(), opts)
	for p.Next() {
		ids = append(ids, p.Database().ID)
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 5 || ids[0] != "a" || ids[4] != "e" {
		t.Errorf("got %v", ids)
	}
	if uri := s.recorded()[2].uri; uri != "/v1/databases?limit=2&page=3&status=running" {
		t.Errorf("third page from %s", uri)
	}
}

func TestListAllFallsBackToTotalPages(t *testing.T) {
	hook := func(id string) map[string]string { return map[string]string{"id": id} }
	s := newStub(t,
		page([]interface{}{hook("a")}, map[string]int{"page": 1, "limit": 1, "total": 2, "total_pages": 2}),
		page([]interface{}{hook("b")}, map[string]int{"page": 2, "limit": 1, "total": 2, "total_pages": 2}))
	count := 0
	p := s.client().Webhooks.ListAll(context.Background(), stagdb.ListOptions{Limit: 1})
	for p.Next() {
		count++
	}
	if p.Err() != nil || count != 2 {
		t.Errorf("got %d items, %v", count, p.Err())
	}
}

func TestListAllStopsOnError(t *testing.T) {
	s := newStub(t, failure(404, stagdb.CodeNotFound, nil))
	p := s.client().Snapshots.ListAll(context.Background(), "gone", stagdb.ListOptions{})
	if p.Next() || !stagdb.IsNotFound(p.Err()) {
		t.Errorf("got %v", p.Err())
	}
	if uri := s.recorded()[0].uri; uri != "/v1/databases/gone/snapshots?limit=100&page=1" {
		t.Errorf("pagers ask for 100 a page by default, got %s", uri)
	}
}
