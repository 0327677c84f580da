package stagdb_test

import (
	"sort"
	"testing"

	stagdb "github.com/stagdb/stagdb-go"
)

func TestLiveSnapshotsAndBranches(t *testing.T) {
	c := liveClient(t)
	ctx := liveContext(t)
	parent := createDatabase(t, c, "go-parent")
	psql(t, parent, "CREATE TABLE numbers (n int); INSERT INTO numbers VALUES (1)")

	snapshot, err := c.Snapshots.Create(ctx, parent.Name, stagdb.CreateSnapshotParams{Name: "before", Description: "one row"})
	if err != nil || snapshot.Status != "ready" || snapshot.DatabaseID != parent.ID {
		t.Fatalf("snapshot: %+v, %v", snapshot, err)
	}
	if got, err := c.Snapshots.Get(ctx, snapshot.ID); err != nil || got.Name != "before" {
		t.Fatalf("get snapshot: %+v, %v", got, err)
	}
	listed := false
	for p := c.Snapshots.ListAll(ctx, parent.ID, stagdb.ListOptions{}); p.Next(); {
		listed = listed || p.Snapshot().ID == snapshot.ID
	}
	if !listed {
		t.Error("the snapshot is not listed")
	}
	psql(t, parent, "INSERT INTO numbers VALUES (2)")

	fromNow, err := c.Branches.Create(ctx, parent.ID, stagdb.CreateBranchParams{Name: uniqueName("go-now")})
	if err != nil || fromNow.ParentID == nil || *fromNow.ParentID != parent.ID {
		t.Fatalf("branch: %+v, %v", fromNow, err)
	}
	if got := psql(t, fromNow, "SELECT string_agg(n::text, ',' ORDER BY n) FROM numbers"); got != "1,2" {
		t.Errorf("branch of now holds %q", got)
	}

	fromSnapshot, err := c.Branches.CreateFromSnapshot(ctx, snapshot.ID, stagdb.CreateBranchParams{Name: uniqueName("go-snap")})
	if err != nil || fromSnapshot.SnapshotID == nil || *fromSnapshot.SnapshotID != snapshot.ID {
		t.Fatalf("branch of snapshot: %+v, %v", fromSnapshot, err)
	}
	if got := psql(t, fromSnapshot, "SELECT count(*) FROM numbers"); got != "1" {
		t.Errorf("branch of the snapshot holds %s rows", got)
	}

	var branchIDs []string
	for p := c.Branches.ListAll(ctx, parent.ID, stagdb.ListOptions{Limit: 1}); p.Next(); {
		branchIDs = append(branchIDs, p.Database().ID)
	}
	want := []string{fromNow.ID, fromSnapshot.ID}
	sort.Strings(branchIDs)
	sort.Strings(want)
	if len(branchIDs) != 2 || branchIDs[0] != want[0] || branchIDs[1] != want[1] {
		t.Errorf("branches %v, want %v", branchIDs, want)
	}

	psql(t, fromSnapshot, "INSERT INTO numbers VALUES (99)")
	reset, err := c.Databases.Reset(ctx, fromSnapshot.ID, stagdb.ResetParams{})
	if err != nil || reset.Status != "running" || reset.Connection.URI != fromSnapshot.Connection.URI {
		t.Fatalf("reset: %+v, %v", reset, err)
	}
	if got := psql(t, reset, "SELECT count(*) FROM numbers"); got != "1" {
		t.Errorf("after reset: %s rows", got)
	}

	impatient := liveClient(t, stagdb.WithRetries(0))
	if err := impatient.Databases.Delete(ctx, parent.ID, stagdb.DeleteOptions{}); !stagdb.IsResourceBusy(err) {
		t.Fatalf("deleting a database with branches: %v", err)
	}
	if err := c.Databases.Delete(ctx, parent.ID, stagdb.DeleteOptions{Cascade: true}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{parent.ID, fromNow.ID, fromSnapshot.ID} {
		if _, err := c.Databases.Get(ctx, id); !stagdb.IsNotFound(err) {
			t.Errorf("%s after cascade: %v", id, err)
		}
	}
	if _, err := c.Snapshots.Get(ctx, snapshot.ID); !stagdb.IsNotFound(err) {
		t.Errorf("snapshot after cascade: %v", err)
	}
}
