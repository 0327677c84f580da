package stagdb_test

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"

	stagdb "github.com/stagdb/stagdb-go"
)

func TestLiveDatabaseLifecycle(t *testing.T) {
	c := liveClient(t)
	ctx := liveContext(t)
	db := createDatabase(t, c, "go-db")
	if db.Status != "running" || db.Type != "postgresql" || db.Version != "15" {
		t.Fatalf("created %+v", db)
	}
	psql(t, db, "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept')")

	byName, err := c.Databases.Get(ctx, db.Name)
	if err != nil || byName.ID != db.ID {
		t.Fatalf("get by name: %+v, %v", byName, err)
	}

	found := false
	p := c.Databases.ListAll(ctx, stagdb.ListDatabasesOptions{ListOptions: stagdb.ListOptions{Limit: 1}, Type: "postgresql"})
	for p.Next() {
		found = found || p.Database().ID == db.ID
	}
	if p.Err() != nil || !found {
		t.Errorf("ListAll: found=%v err=%v", found, p.Err())
	}

	updated, err := c.Databases.Update(ctx, db.ID, stagdb.UpdateDatabaseParams{Description: stagdb.String("from stagdb-go")})
	if err != nil || updated.Description != "from stagdb-go" {
		t.Fatalf("update: %+v, %v", updated, err)
	}
	guarded, err := c.Databases.Update(ctx, db.ID, stagdb.UpdateDatabaseParams{
		Protected: stagdb.Bool(true), TTL: "2h", AutoStopAfter: "15m",
	})
	if err != nil || !guarded.Protected || guarded.ExpiresAt == nil || guarded.AutoStopAfter == nil {
		t.Fatalf("update protected, ttl, auto-stop: %+v, %v", guarded, err)
	}
	if err := c.Databases.Delete(ctx, db.ID, stagdb.DeleteOptions{}); err == nil {
		t.Fatalf("a protected database was deleted")
	}
	cleared, err := c.Databases.Update(ctx, db.ID, stagdb.UpdateDatabaseParams{
		Protected: stagdb.Bool(false), ClearExpiry: true, NeverAutoStop: true,
	})
	if err != nil || cleared.Protected || cleared.ExpiresAt != nil || cleared.AutoStopAfter != nil {
		t.Fatalf("clear protected, ttl, auto-stop: %+v, %v", cleared, err)
	}

	stopped, err := c.Databases.Stop(ctx, db.ID)
	if err != nil || stopped.Status != "stopped" {
		t.Fatalf("stop: %+v, %v", stopped, err)
	}
	started, err := c.Databases.Start(ctx, db.ID)
	if err != nil || started.Status != "running" {
		t.Fatalf("start: %+v, %v", started, err)
	}
	if got := psql(t, started, "SELECT body FROM notes"); got != "kept" {
		t.Errorf("after stop and start: %q", got)
	}

	stats, err := c.Databases.Stats(ctx, db.ID)
	if err != nil || stats.DatabaseID != db.ID || stats.Storage.Figures.LogicalBytes <= 0 || stats.Engine == nil {
		t.Errorf("stats: %+v, %v", stats, err)
	}
	lines, err := c.Databases.Logs(ctx, db.ID, stagdb.LogsOptions{Tail: 5})
	if err != nil || len(lines) == 0 || len(lines) > 5 {
		t.Errorf("logs: %d lines, %v", len(lines), err)
	}

	if err := c.Databases.Delete(ctx, db.ID, stagdb.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Databases.Get(ctx, db.ID); !stagdb.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
}

// TestLiveFieldsMatch decodes live answers strictly: a field the server sends that the
// SDK's types lack fails here, so they cannot silently drift from the API.
func TestLiveFieldsMatch(t *testing.T) {
	c := liveClient(t)
	ctx := liveContext(t)
	db := createDatabase(t, c, "go-fields")
	snapshot, err := c.Snapshots.Create(ctx, db.ID, stagdb.CreateSnapshotParams{Name: "fields"})
	if err != nil {
		t.Fatal(err)
	}
	hook, err := c.Webhooks.Create(ctx, stagdb.CreateWebhookParams{URL: "http://127.0.0.1:9/hooks", Events: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Webhooks.Delete(ctx, hook.ID) }()
	operations, _, err := c.Operations.List(ctx, db.ID, stagdb.ListOptions{})
	if err != nil || len(operations) == 0 {
		t.Fatalf("the database's operations: %v %v", operations, err)
	}

	var logs struct {
		Lines []stagdb.LogLine `json:"lines"`
	}
	answers := map[string]interface{}{
		"/databases/" + db.ID:             &stagdb.Database{},
		"/databases/" + db.ID + "/stats":  &stagdb.DatabaseStats{},
		"/databases/" + db.ID + "/logs":   &logs,
		"/snapshots/" + snapshot.ID:       &stagdb.Snapshot{},
		"/webhooks/" + hook.ID:            &stagdb.Webhook{},
		"/health":                         &stagdb.Health{},
		"/operations/" + operations[0].ID: &stagdb.Operation{},
	}
	for path, out := range answers {
		strictGet(t, c.BaseURL()+path, out)
	}
	if len(logs.Lines) == 0 {
		t.Error("no log lines decoded")
	}
}

func strictGet(t *testing.T, url string, data interface{}) {
	t.Helper()
	req, err := http.NewRequestWithContext(liveContext(t), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+os.Getenv("STAGDB_API_KEY"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer := struct {
		Success bool        `json:"success"`
		Data    interface{} `json:"data"`
		Message string      `json:"message"`
	}{Data: data}
	decoder := json.NewDecoder(resp.Body)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&answer); err != nil || !answer.Success {
		t.Errorf("GET %s: the answer has fields the SDK's %T lacks: %v", url, data, err)
	}
}
