package stagdb_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	stagdb "github.com/stagdb/stagdb-go"
)

// liveClient is a client for the server in STAGDB_URL / STAGDB_API_KEY, which the live
// tests require.
func liveClient(t *testing.T, opts ...stagdb.Option) *stagdb.Client {
	t.Helper()
	if os.Getenv("STAGDB_URL") == "" || os.Getenv("STAGDB_API_KEY") == "" {
		t.Fatal("the live tests need a running server: set STAGDB_URL and STAGDB_API_KEY")
	}
	return stagdb.NewClient("", "", opts...)
}

func liveContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func uniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// createDatabase makes a PostgreSQL database that is deleted, branches and all, when t ends.
func createDatabase(t *testing.T, c *stagdb.Client, prefix string) *stagdb.Database {
	t.Helper()
	ctx := liveContext(t)
	db, err := c.Databases.Create(ctx, stagdb.CreateDatabaseParams{Name: uniqueName(prefix), Type: "postgresql", Version: "15"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Databases.Delete(context.Background(), db.ID, stagdb.DeleteOptions{Cascade: true}); err != nil && !stagdb.IsNotFound(err) {
			t.Errorf("deleting %s: %v", db.Name, err)
		}
	})
	return db
}

// psql runs SQL on a database and returns its unaligned output.
func psql(t *testing.T, db *stagdb.Database, sql string) string {
	t.Helper()
	if db.Connection == nil {
		t.Fatalf("%s has no connection", db.Name)
	}
	out, err := exec.Command("psql", db.Connection.URI, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql).CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}
