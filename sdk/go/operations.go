package stagdb

import (
	"context"
	"net/http"
	"net/url"
)

// OperationsService reads operations: long work followed to its end.
type OperationsService struct{ client *Client }

// Get returns an operation by id ("op-…").
func (s *OperationsService) Get(ctx context.Context, id string) (*Operation, error) {
	return getInto[Operation](ctx, s.client, request{method: http.MethodGet, path: "/operations/" + url.PathEscape(id)})
}

// List returns one page of a database's operations (by id or name), newest first.
func (s *OperationsService) List(ctx context.Context, databaseID string, opts ListOptions) ([]Operation, *Pagination, error) {
	query := opts.query()
	query.Set("database_id", databaseID)
	return listPage[Operation](ctx, s.client, request{method: http.MethodGet, path: "/operations", query: query})
}
