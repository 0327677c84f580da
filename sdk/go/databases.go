package stagdb

import (
	"context"
	"net/http"
	"net/url"
)

// DatabasesService creates, reads, changes, starts, stops, resets and deletes databases.
type DatabasesService struct{ client *Client }

func databasePath(id string) string { return "/databases/" + url.PathEscape(id) }

// List returns one page of databases, oldest first.
func (s *DatabasesService) List(ctx context.Context, opts ListDatabasesOptions) ([]Database, *Pagination, error) {
	return listPage[Database](ctx, s.client, request{method: http.MethodGet, path: "/databases", query: opts.query()})
}

// ListAll walks every page of databases from opts.Page on.
func (s *DatabasesService) ListAll(ctx context.Context, opts ListDatabasesOptions) DatabasePager {
	opts.ListOptions = withPageLimit(opts.ListOptions)
	return DatabasePager{newPager(ctx, opts.Page, func(ctx context.Context, page int) ([]Database, *Pagination, error) {
		opts.Page = page
		return s.List(ctx, opts)
	})}
}

// Create creates a database and returns it once it accepts connections (with a Source,
// once the source's data is in).
func (s *DatabasesService) Create(ctx context.Context, params CreateDatabaseParams) (*Database, error) {
	r := request{method: http.MethodPost, path: "/databases", body: params}
	if params.Source != nil {
		r.query = url.Values{"wait": {"true"}}
	}
	return s.database(ctx, r)
}

// Get returns a database by id ("db-…") or name.
func (s *DatabasesService) Get(ctx context.Context, id string) (*Database, error) {
	return s.database(ctx, request{method: http.MethodGet, path: databasePath(id)})
}

// Update changes a database's name, description or resource limits.
func (s *DatabasesService) Update(ctx context.Context, id string, params UpdateDatabaseParams) (*Database, error) {
	return s.database(ctx, request{method: http.MethodPut, path: databasePath(id), body: params})
}

// Delete removes a database; with opts.Cascade, its branches too.
func (s *DatabasesService) Delete(ctx context.Context, id string, opts DeleteOptions) error {
	_, err := s.client.call(ctx, request{method: http.MethodDelete, path: databasePath(id), query: opts.query()})
	return err
}

// Start starts a stopped database (a running one is returned as it is).
func (s *DatabasesService) Start(ctx context.Context, id string) (*Database, error) {
	return s.database(ctx, request{method: http.MethodPost, path: databasePath(id) + "/start"})
}

// Stop stops a database, keeping its data, port and password.
func (s *DatabasesService) Stop(ctx context.Context, id string) (*Database, error) {
	return s.database(ctx, request{method: http.MethodPost, path: databasePath(id) + "/stop"})
}

// Reset puts a database's data back to a snapshot (by default the one it was branched from).
func (s *DatabasesService) Reset(ctx context.Context, id string, params ResetParams) (*Database, error) {
	return s.database(ctx, request{method: http.MethodPost, path: databasePath(id) + "/reset", body: params})
}

// Promote makes a branch's data its parent's and returns the parent, which keeps its
// name, URI, password and port; its old data stays as snapshot "pre-promote-<time>".
func (s *DatabasesService) Promote(ctx context.Context, id string, params PromoteParams) (*Database, error) {
	return s.database(ctx, request{method: http.MethodPost, path: databasePath(id) + "/promote", body: params})
}

// SchemaDiff compares a database's schema with opts.Against: "parent" (the default), a
// snapshot id, or a database id or name.
func (s *DatabasesService) SchemaDiff(ctx context.Context, id string, opts SchemaDiffOptions) (*SchemaDiff, error) {
	r := request{method: http.MethodGet, path: databasePath(id) + "/schema-diff", query: opts.query()}
	return getInto[SchemaDiff](ctx, s.client, r)
}

// Refresh fills an imported database again from its source (params.Source, or the one
// kept for its refresh schedule) and returns it once the data is in.
func (s *DatabasesService) Refresh(ctx context.Context, id string, params RefreshParams) (*Database, error) {
	r := request{method: http.MethodPost, path: databasePath(id) + "/refresh", body: params, query: url.Values{"wait": {"true"}}}
	return s.database(ctx, r)
}

// Stats reads a database's figures now.
func (s *DatabasesService) Stats(ctx context.Context, id string) (*DatabaseStats, error) {
	return getInto[DatabaseStats](ctx, s.client, request{method: http.MethodGet, path: databasePath(id) + "/stats"})
}

// Logs returns the newest lines of a database's log, oldest first.
func (s *DatabasesService) Logs(ctx context.Context, id string, opts LogsOptions) ([]LogLine, error) {
	var logs struct {
		Lines []LogLine `json:"lines"`
	}
	r := request{method: http.MethodGet, path: databasePath(id) + "/logs", query: opts.query()}
	if err := s.client.callInto(ctx, r, &logs); err != nil {
		return nil, err
	}
	return logs.Lines, nil
}

func (s *DatabasesService) database(ctx context.Context, r request) (*Database, error) {
	return getInto[Database](ctx, s.client, r)
}
