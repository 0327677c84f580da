package stagdb_test

import (
	"encoding/json"
	"testing"

	stagdb "github.com/stagdb/stagdb-go"
)

func TestUpdateSendsOnlyWhatIsGivenAndNullForWhatIsCleared(t *testing.T) {
	cases := []struct {
		params stagdb.UpdateDatabaseParams
		want   string
	}{
		{stagdb.UpdateDatabaseParams{}, `{}`},
		{stagdb.UpdateDatabaseParams{Description: stagdb.String("")}, `{"description":""}`},
		{
			stagdb.UpdateDatabaseParams{TTL: "2h", Protected: stagdb.Bool(true), AutoStopAfter: "15m"},
			`{"auto_stop_after":"15m","protected":true,"ttl":"2h"}`,
		},
		{
			stagdb.UpdateDatabaseParams{ClearExpiry: true, NeverAutoStop: true, ClearMaskingRules: true,
				ClearSnapshotSchedule: true, ClearRefreshSchedule: true, Protected: stagdb.Bool(false)},
			`{"auto_stop_after":null,"masking_rules":null,"protected":false,"refresh_schedule":null,` +
				`"snapshot_schedule":null,"ttl":null}`,
		},
		{
			stagdb.UpdateDatabaseParams{
				RefreshSchedule: &stagdb.RefreshSchedule{Every: "6h"},
				RefreshSource:   &stagdb.ImportSource{URI: "postgresql://u:p@h/db", SchemaOnly: true},
				MaskingRules:    []stagdb.MaskingRule{{Table: "t", Column: "c", With: "email"}},
			},
			`{"masking_rules":[{"table":"t","column":"c","with":"email"}],` +
				`"refresh_schedule":{"every":"6h"},"source":{"uri":"postgresql://u:p@h/db","schema_only":true}}`,
		},
	}
	for _, c := range cases {
		body, err := json.Marshal(c.params)
		if err != nil || string(body) != c.want {
			t.Errorf("got %s (%v), want %s", body, err, c.want)
		}
	}
}
