package stagdb

import (
	"encoding/json"
	"time"
)

// Database is a database server running in a container; a branch is a Database with a ParentID.
type Database struct {
	ID string `json:"id"`
	// ProjectID is the project the database belongs to.
	ProjectID  string      `json:"project_id"`
	Name       string      `json:"name"`
	Type       string      `json:"type"`
	Version    string      `json:"version"`
	Status     string      `json:"status"`
	Error      *string     `json:"error"`
	Host       string      `json:"host"`
	Port       *int        `json:"port"`
	Connection *Connection `json:"connection"`
	// Superuser is true when the connection user is the engine's superuser.
	Superuser   bool      `json:"superuser"`
	Description string    `json:"description"`
	Resources   Resources `json:"resources"`
	ParentID    *string   `json:"parent_id"`
	SnapshotID  *string   `json:"snapshot_id"`
	// ExpiresAt is when the database is deleted with its branches; nil for never.
	ExpiresAt *time.Time `json:"expires_at"`
	// Protected databases are never deleted, reset or expired until this is cleared.
	Protected bool `json:"protected"`
	// AutoStopAfter is the idle duration (e.g. "15m") after which it stops; nil for never.
	AutoStopAfter *string `json:"auto_stop_after"`
	// SnapshotSchedule takes snapshots on a rhythm and keeps the newest; nil for none.
	SnapshotSchedule *SnapshotSchedule `json:"snapshot_schedule"`
	// Source is where an imported database's data came from (its URI without password).
	Source *string `json:"source"`
	// RefreshSchedule refreshes it from its source on a rhythm; nil for none.
	RefreshSchedule *RefreshSchedule `json:"refresh_schedule"`
	// MaskingRules are applied to the copies it hands out (branches, imports); nil for none.
	MaskingRules []MaskingRule `json:"masking_rules"`
	// Masked tells whether its own data has been masked.
	Masked    bool      `json:"masked"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MaskingRule masks one column: With is email, name, phone, hash, null, redact or
// fixed:<value>.
type MaskingRule struct {
	Table  string `json:"table"`
	Column string `json:"column"`
	With   string `json:"with"`
}

// RefreshSchedule is how often an imported database is refreshed from its source.
type RefreshSchedule struct {
	Every string `json:"every"`
}

// SnapshotSchedule is a database's scheduled snapshots: every duration, keeping the newest.
type SnapshotSchedule struct {
	Every string `json:"every"`
	Keep  int    `json:"keep"`
}

// Connection tells how to connect to a database.
type Connection struct {
	URI      string `json:"uri"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username"`
	Password string `json:"password"`
	Database string `json:"database"`
}

// Resources are a container's limits (nil means no limit) and the engine settings the
// database overrides (name to an integer, boolean or string value).
type Resources struct {
	Memory   *string                `json:"memory"`
	CPUs     *float64               `json:"cpus"`
	Settings map[string]interface{} `json:"settings"`
}

// Snapshot is a read-only point-in-time image of a database's data.
type Snapshot struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	DatabaseID  string       `json:"database_id"`
	Description string       `json:"description"`
	Status      string       `json:"status"`
	Size        SnapshotSize `json:"size"`
	// Scheduled snapshots were taken by a database's snapshot schedule, not by a user.
	Scheduled bool      `json:"scheduled"`
	CreatedAt time.Time `json:"created_at"`
}

// SnapshotSize is the space a snapshot used when it was taken; nil when unknown.
type SnapshotSize struct {
	LogicalBytes *int64 `json:"logical_bytes"`
	UniqueBytes  *int64 `json:"unique_bytes"`
}

// DatabaseStats are a database's figures, each group with the moment it was read.
// Container and Engine are nil unless the database is running.
type DatabaseStats struct {
	DatabaseID string            `json:"database_id"`
	Status     string            `json:"status"`
	Container  *ContainerReading `json:"container"`
	Storage    StorageReading    `json:"storage"`
	Engine     *EngineReading    `json:"engine"`
	// Front holds the connection front's figures: client connections, last activity.
	Front *EngineReading `json:"front"`
}

// ContainerReading holds Docker's figures for a database's container.
type ContainerReading struct {
	ReadAt  time.Time `json:"read_at"`
	Figures struct {
		CPUPercent       *float64 `json:"cpu_percent"`
		MemoryUsedBytes  *int64   `json:"memory_used_bytes"`
		MemoryLimitBytes *int64   `json:"memory_limit_bytes"`
		NetworkRxBytes   *int64   `json:"network_rx_bytes"`
		NetworkTxBytes   *int64   `json:"network_tx_bytes"`
		BlockReadBytes   *int64   `json:"block_read_bytes"`
		BlockWriteBytes  *int64   `json:"block_write_bytes"`
	} `json:"figures"`
}

// StorageReading holds the figures of a database's volume in the storage pool.
type StorageReading struct {
	ReadAt  time.Time `json:"read_at"`
	Figures struct {
		Backend       string `json:"backend"`
		LogicalBytes  int64  `json:"logical_bytes"`
		UniqueBytes   int64  `json:"unique_bytes"`
		PoolFreeBytes int64  `json:"pool_free_bytes"`
	} `json:"figures"`
}

// EngineReading holds what the database server reports about itself; its keys depend on
// the engine type (for PostgreSQL: connections, databases, transactions_committed, ...).
type EngineReading struct {
	ReadAt  time.Time              `json:"read_at"`
	Figures map[string]interface{} `json:"figures"`
}

// LogLine is one line a database's container wrote.
type LogLine struct {
	Timestamp time.Time `json:"timestamp"`
	Message   string    `json:"message"`
}

// SchemaSide is one side of a schema diff: a database or a snapshot.
type SchemaSide struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SchemaColumn is a table's column as the engine spells it.
type SchemaColumn struct {
	Name     string  `json:"name"`
	Type     string  `json:"type"`
	Nullable bool    `json:"nullable"`
	Default  *string `json:"default"`
}

// SchemaTable is a table with its columns.
type SchemaTable struct {
	Name    string         `json:"name"`
	Columns []SchemaColumn `json:"columns"`
}

// ColumnChange is a column present on both sides in different forms.
type ColumnChange struct {
	Name   string       `json:"name"`
	Before SchemaColumn `json:"before"`
	After  SchemaColumn `json:"after"`
}

// ColumnChanges are the column differences of one table.
type ColumnChanges struct {
	Added   []SchemaColumn `json:"added"`
	Removed []SchemaColumn `json:"removed"`
	Changed []ColumnChange `json:"changed"`
}

// TableChange is a table on both sides whose columns differ.
type TableChange struct {
	Name    string        `json:"name"`
	Columns ColumnChanges `json:"columns"`
}

// TableChanges are the table differences.
type TableChanges struct {
	Added   []SchemaTable `json:"added"`
	Removed []SchemaTable `json:"removed"`
	Changed []TableChange `json:"changed"`
}

// SchemaObject is an index, constraint, view or function with its definition; Table is
// set for indexes and constraints.
type SchemaObject struct {
	Name       string  `json:"name"`
	Table      *string `json:"table"`
	Definition string  `json:"definition"`
}

// ObjectChange is an object on both sides with different definitions.
type ObjectChange struct {
	Name   string  `json:"name"`
	Table  *string `json:"table"`
	Before string  `json:"before"`
	After  string  `json:"after"`
}

// ObjectChanges are the differences of one kind of object.
type ObjectChanges struct {
	Added   []SchemaObject `json:"added"`
	Removed []SchemaObject `json:"removed"`
	Changed []ObjectChange `json:"changed"`
}

// SchemaDiff is what Database has that Against has not (Added), the reverse (Removed),
// and what both have in different forms (Changed), with a unified diff of the dumps.
type SchemaDiff struct {
	Database    SchemaSide    `json:"database"`
	Against     SchemaSide    `json:"against"`
	Identical   bool          `json:"identical"`
	Tables      TableChanges  `json:"tables"`
	Indexes     ObjectChanges `json:"indexes"`
	Constraints ObjectChanges `json:"constraints"`
	Views       ObjectChanges `json:"views"`
	Functions   ObjectChanges `json:"functions"`
	UnifiedDiff string        `json:"unified_diff"`
}

// Webhook subscribes a URL to lifecycle events.
type Webhook struct {
	ID string `json:"id"`
	// ProjectID is the project the webhook belongs to; it hears only that project's events.
	ProjectID string    `json:"project_id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Active    bool      `json:"active"`
	SecretSet bool      `json:"secret_set"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CreatedWebhook is a Webhook with its signing secret, shown only when it is created.
type CreatedWebhook struct {
	Webhook
	Secret string `json:"secret"`
}

// WebhookDelivery is one event sent (or to be sent) to a webhook, with its latest attempt.
type WebhookDelivery struct {
	ID            string     `json:"id"`
	WebhookID     string     `json:"webhook_id"`
	Event         string     `json:"event"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	ResponseCode  *int       `json:"response_code"`
	LastError     *string    `json:"last_error"`
	DurationMS    *float64   `json:"duration_ms"`
	CreatedAt     time.Time  `json:"created_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
}

// WebhookEvent is the body of a delivery: decode it after VerifyWebhook accepts it.
type WebhookEvent struct {
	Event     string          `json:"event"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// Health is the server's state and each of its dependencies'.
type Health struct {
	Status       string `json:"status"`
	Dependencies struct {
		Metadata Dependency `json:"metadata"`
		Docker   Dependency `json:"docker"`
		Storage  Dependency `json:"storage"`
	} `json:"dependencies"`
}

// Dependency is one probe of /health; the fields after LatencyMS depend on the dependency.
type Dependency struct {
	Status    string  `json:"status"`
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
	Dialect   string  `json:"dialect,omitempty"`
	Backend   string  `json:"backend,omitempty"`
	FreeBytes *int64  `json:"free_bytes,omitempty"`
}

// Operation is long work followed to its end: an import, or a call made with
// `Prefer: respond-async`.
type Operation struct {
	ID         string             `json:"id"`
	Kind       string             `json:"kind"`
	Status     string             `json:"status"` // running, succeeded or failed
	DatabaseID *string            `json:"database_id"`
	Progress   *OperationProgress `json:"progress"`
	Error      *string            `json:"error"`
	// Source is an import's source URI, without its password.
	Source *string `json:"source"`
	// Mask is the caller's explicit choice about masking, when it made one.
	Mask       *bool      `json:"mask"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// OperationProgress is how far an operation has come; nil where the tool cannot tell.
type OperationProgress struct {
	Phase        string `json:"phase"`
	BytesDone    *int64 `json:"bytes_done"`
	BytesTotal   *int64 `json:"bytes_total"`
	ObjectsDone  *int64 `json:"objects_done"`
	ObjectsTotal *int64 `json:"objects_total"`
}
