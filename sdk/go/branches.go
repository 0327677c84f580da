package stagdb

import (
	"context"
	"net/http"
)

// BranchesService makes branches: databases holding a copy-on-write copy of another
// database's data, as it is now or as a snapshot holds it.
type BranchesService struct{ client *Client }

// List returns one page of a database's direct branches, oldest first.
func (s *BranchesService) List(ctx context.Context, databaseID string, opts ListOptions) ([]Database, *Pagination, error) {
	r := request{method: http.MethodGet, path: databasePath(databaseID) + "/branches", query: opts.query()}
	return listPage[Database](ctx, s.client, r)
}

// ListAll walks every page of a database's direct branches.
func (s *BranchesService) ListAll(ctx context.Context, databaseID string, opts ListOptions) DatabasePager {
	opts = withPageLimit(opts)
	return DatabasePager{newPager(ctx, opts.Page, func(ctx context.Context, page int) ([]Database, *Pagination, error) {
		opts.Page = page
		return s.List(ctx, databaseID, opts)
	})}
}

// Create branches a database as it is now (a snapshot named "for-<branch id>" is taken first).
func (s *BranchesService) Create(ctx context.Context, databaseID string, params CreateBranchParams) (*Database, error) {
	r := request{method: http.MethodPost, path: databasePath(databaseID) + "/branches", body: params}
	return getInto[Database](ctx, s.client, r)
}

// CreateFromSnapshot branches a snapshot.
func (s *BranchesService) CreateFromSnapshot(ctx context.Context, snapshotID string, params CreateBranchParams) (*Database, error) {
	r := request{method: http.MethodPost, path: snapshotPath(snapshotID) + "/branches", body: params}
	return getInto[Database](ctx, s.client, r)
}

// Delete removes a branch (a branch is a database); with opts.Cascade, its own branches too.
func (s *BranchesService) Delete(ctx context.Context, id string, opts DeleteOptions) error {
	return s.client.Databases.Delete(ctx, id, opts)
}
