package stagdb

import (
	"encoding/json"
	"net/url"
	"strconv"
	"time"
)

// CreateDatabaseParams is the body of Databases.Create. Version left empty is the newest
// available.
type CreateDatabaseParams struct {
	Name        string          `json:"name"`
	Type        string          `json:"type"`
	Version     string          `json:"version,omitempty"`
	Description string          `json:"description,omitempty"`
	Resources   *ResourcesInput `json:"resources,omitempty"`
	// Superuser makes the connection user the engine's superuser (recorded; branches
	// inherit it) instead of a user that owns its database only.
	Superuser bool `json:"superuser,omitempty"`
	// Source fills the new database from an existing server (an import); Create then
	// waits until the data is in.
	Source *ImportSource `json:"source,omitempty"`
	// RefreshSchedule (with a Source) refreshes it from the source on a rhythm.
	RefreshSchedule *RefreshSchedule `json:"refresh_schedule,omitempty"`
	// MaskingRules mask its branches and imports before they run.
	MaskingRules []MaskingRule `json:"masking_rules,omitempty"`
}

// ImportSource is an existing server to import: its URI (postgresql://, mariadb://) and,
// optionally, the schemas and tables to include or exclude, or the schema alone.
type ImportSource struct {
	URI            string   `json:"uri"`
	Schemas        []string `json:"schemas,omitempty"`
	ExcludeSchemas []string `json:"exclude_schemas,omitempty"`
	Tables         []string `json:"tables,omitempty"`
	ExcludeTables  []string `json:"exclude_tables,omitempty"`
	SchemaOnly     bool     `json:"schema_only,omitempty"`
}

// RefreshParams is the body of Databases.Refresh; a nil Source is the kept one.
type RefreshParams struct {
	Source *ImportSource `json:"source,omitempty"`
}

// UpdateDatabaseParams is the body of Databases.Update: nil and zero fields are left as
// they are; a Clear or Never field removes that setting.
type UpdateDatabaseParams struct {
	Name        *string
	Description *string
	Resources   *ResourcesInput
	// MaskingRules replace the database's masking rules; ClearMaskingRules removes them.
	MaskingRules      []MaskingRule
	ClearMaskingRules bool
	// TTL (a duration such as "2h") or ExpiresAt sets when it is deleted with its
	// branches; ClearExpiry keeps it for good.
	TTL         string
	ExpiresAt   *time.Time
	ClearExpiry bool
	// Protected protects it from delete, reset and expiry (false lifts that).
	Protected *bool
	// AutoStopAfter (e.g. "15m") stops it after that long without a client; NeverAutoStop
	// turns that off.
	AutoStopAfter string
	NeverAutoStop bool
	// SnapshotSchedule takes snapshots on a rhythm; ClearSnapshotSchedule stops it.
	SnapshotSchedule      *SnapshotSchedule
	ClearSnapshotSchedule bool
	// RefreshSchedule refreshes an imported database from its source on a rhythm, with
	// RefreshSource when it keeps no source credentials (or should read another server);
	// ClearRefreshSchedule stops it and forgets the kept credentials.
	RefreshSchedule      *RefreshSchedule
	RefreshSource        *ImportSource
	ClearRefreshSchedule bool
}

// MarshalJSON sends the fields given, and null for the settings cleared.
func (p UpdateDatabaseParams) MarshalJSON() ([]byte, error) {
	fields := map[string]interface{}{}
	setIf := func(name string, given bool, value interface{}) {
		if given {
			fields[name] = value
		}
	}
	clearOr := func(name string, clear bool, given bool, value interface{}) {
		if clear {
			fields[name] = nil
		} else if given {
			fields[name] = value
		}
	}
	setIf("name", p.Name != nil, p.Name)
	setIf("description", p.Description != nil, p.Description)
	setIf("resources", p.Resources != nil, p.Resources)
	clearOr("masking_rules", p.ClearMaskingRules, p.MaskingRules != nil, p.MaskingRules)
	clearOr("ttl", p.ClearExpiry, p.TTL != "", p.TTL)
	setIf("expires_at", !p.ClearExpiry && p.ExpiresAt != nil, p.ExpiresAt)
	setIf("protected", p.Protected != nil, p.Protected)
	clearOr("auto_stop_after", p.NeverAutoStop, p.AutoStopAfter != "", p.AutoStopAfter)
	clearOr("snapshot_schedule", p.ClearSnapshotSchedule, p.SnapshotSchedule != nil,
		p.SnapshotSchedule)
	clearOr("refresh_schedule", p.ClearRefreshSchedule, p.RefreshSchedule != nil,
		p.RefreshSchedule)
	setIf("source", p.RefreshSource != nil, p.RefreshSource)
	return json.Marshal(fields)
}

// ResourcesInput sets container limits. Memory is a size such as "512m" or "2g"; CPUs a
// number from 0.01 to 64. A zero field is left out (on update: kept as it is); set
// NoMemoryLimit or NoCPULimit to lift that limit. Settings overrides engine settings from
// the server's allow-list (merged into the current ones; a nil value returns one to its
// default); a nil map leaves them as they are.
type ResourcesInput struct {
	Memory        string
	CPUs          float64
	NoMemoryLimit bool
	NoCPULimit    bool
	Settings      map[string]interface{}
}

// MarshalJSON sends a lifted limit as null and leaves zero fields out.
func (r ResourcesInput) MarshalJSON() ([]byte, error) {
	fields := map[string]interface{}{}
	if r.NoMemoryLimit {
		fields["memory"] = nil
	} else if r.Memory != "" {
		fields["memory"] = r.Memory
	}
	if r.NoCPULimit {
		fields["cpus"] = nil
	} else if r.CPUs != 0 {
		fields["cpus"] = r.CPUs
	}
	if r.Settings != nil {
		fields["settings"] = r.Settings
	}
	return json.Marshal(fields)
}

// ResetParams is the body of Databases.Reset; an empty SnapshotID is the snapshot the
// database was branched from.
type ResetParams struct {
	SnapshotID string `json:"snapshot_id,omitempty"`
}

// PromoteParams is the body of Databases.Promote; KeepBranch keeps the branch, on a fresh
// copy of the promoted data, instead of removing it.
type PromoteParams struct {
	KeepBranch bool `json:"keep_branch,omitempty"`
}

// SchemaDiffOptions names what Databases.SchemaDiff compares against; empty is "parent".
type SchemaDiffOptions struct {
	Against string
}

func (o SchemaDiffOptions) query() url.Values {
	if o.Against == "" {
		return nil
	}
	return url.Values{"against": {o.Against}}
}

// CreateSnapshotParams is the body of Snapshots.Create.
type CreateSnapshotParams struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// CreateBranchParams is the body of Branches.Create and Branches.CreateFromSnapshot.
type CreateBranchParams struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// CreateWebhookParams is the body of Webhooks.Create; an empty Secret is generated.
type CreateWebhookParams struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret,omitempty"`
}

// UpdateWebhookParams is the body of Webhooks.Update: nil fields are left as they are.
type UpdateWebhookParams struct {
	URL    *string  `json:"url,omitempty"`
	Events []string `json:"events,omitempty"`
	Secret *string  `json:"secret,omitempty"`
	Active *bool    `json:"active,omitempty"`
}

// DeleteOptions: Cascade also deletes the branches that block a deletion, and their own.
type DeleteOptions struct {
	Cascade bool
}

func (o DeleteOptions) query() url.Values {
	if !o.Cascade {
		return nil
	}
	return url.Values{"cascade": {"true"}}
}

// ListOptions selects a page: Page from 1, Limit from 1 to 100 (0 means the server's
// default). ListAll pagers start at Page (or 1) and walk to the last page.
type ListOptions struct {
	Page  int
	Limit int
}

func (o ListOptions) query() url.Values {
	values := url.Values{}
	if o.Page > 0 {
		values.Set("page", strconv.Itoa(o.Page))
	}
	if o.Limit > 0 {
		values.Set("limit", strconv.Itoa(o.Limit))
	}
	return values
}

// ListDatabasesOptions filters Databases.List and ListAll; empty fields do not filter.
type ListDatabasesOptions struct {
	ListOptions
	Type     string
	Status   string
	ParentID string
}

func (o ListDatabasesOptions) query() url.Values {
	values := o.ListOptions.query()
	for name, value := range map[string]string{"type": o.Type, "status": o.Status, "parent_id": o.ParentID} {
		if value != "" {
			values.Set(name, value)
		}
	}
	return values
}

// LogsOptions: at most Tail lines (0: the server's default of 100), from Since on.
type LogsOptions struct {
	Tail  int
	Since time.Time
}

func (o LogsOptions) query() url.Values {
	values := url.Values{}
	if o.Tail > 0 {
		values.Set("tail", strconv.Itoa(o.Tail))
	}
	if !o.Since.IsZero() {
		values.Set("since", o.Since.UTC().Format(time.RFC3339))
	}
	return values
}

// String returns a pointer to s, for the optional fields of update parameters.
func String(s string) *string { return &s }

// Bool returns a pointer to b, for the optional fields of update parameters.
func Bool(b bool) *bool { return &b }
