package stagdb_test

import (
	"context"
	"encoding/json"
	"testing"

	stagdb "github.com/stagdb/stagdb-go"
)

const schemaDiffJSON = `{
  "database": {"type": "database", "id": "db-9x2c7v5b1n8m", "name": "pr-7"},
  "against": {"type": "snapshot", "id": "snap-4h8w2n6c0r3t", "name": "nightly"},
  "identical": false,
  "tables": {"added": [], "removed": [], "changed": [{"name": "public.users", "columns": {
    "added": [{"name": "age", "type": "integer", "nullable": true, "default": null}],
    "removed": [],
    "changed": [{"name": "plan",
      "before": {"name": "plan", "type": "text", "nullable": true, "default": "'free'::text"},
      "after": {"name": "plan", "type": "text", "nullable": true, "default": "'pro'::text"}}]}}]},
  "indexes": {"added": [{"name": "public.users_email", "table": "public.users",
    "definition": "CREATE INDEX users_email ON public.users USING btree (email)"}],
    "removed": [], "changed": []},
  "constraints": {"added": [], "removed": [], "changed": []},
  "views": {"added": [], "removed": [], "changed": [{"name": "public.adults", "table": null,
    "before": "SELECT 1", "after": "SELECT 2"}]},
  "functions": {"added": [], "removed": [], "changed": []},
  "unified_diff": "--- snapshot nightly\n+++ database pr-7\n"
}`

func TestSchemaDiffDecodesEveryField(t *testing.T) {
	var data interface{}
	if err := json.Unmarshal([]byte(schemaDiffJSON), &data); err != nil {
		t.Fatal(err)
	}
	s := newStub(t, ok(data))
	diff, err := s.client().Databases.SchemaDiff(context.Background(), "pr-7", stagdb.SchemaDiffOptions{Against: "snap-4h8w2n6c0r3t"})
	if err != nil {
		t.Fatal(err)
	}
	if uri := s.recorded()[0].uri; uri != "/v1/databases/pr-7/schema-diff?against=snap-4h8w2n6c0r3t" {
		t.Errorf("uri %s", uri)
	}
	users := diff.Tables.Changed[0]
	if diff.Against.Type != "snapshot" || users.Columns.Added[0].Default != nil ||
		*users.Columns.Changed[0].After.Default != "'pro'::text" ||
		*diff.Indexes.Added[0].Table != "public.users" || diff.Views.Changed[0].Table != nil {
		t.Errorf("decoded %+v", diff)
	}
}

func TestPromoteSendsKeepBranchOnlyWhenAsked(t *testing.T) {
	s := newStub(t, ok(map[string]interface{}{"id": "db-7f3k9m2p4q8r"}), ok(map[string]interface{}{"id": "db-7f3k9m2p4q8r"}))
	c := s.client()
	if _, err := c.Databases.Promote(context.Background(), "pr-7", stagdb.PromoteParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Databases.Promote(context.Background(), "pr-8", stagdb.PromoteParams{KeepBranch: true}); err != nil {
		t.Fatal(err)
	}
	got := s.recorded()
	if got[0].uri != "/v1/databases/pr-7/promote" || got[0].body != "{}" || got[1].body != `{"keep_branch":true}` {
		t.Errorf("requests %+v", got)
	}
}
