package stagdb

import (
	"context"
	"net/http"
	"net/url"
)

// SnapshotsService takes, reads and deletes snapshots: read-only images of a database's data.
type SnapshotsService struct{ client *Client }

func snapshotPath(id string) string { return "/snapshots/" + url.PathEscape(id) }

// List returns one page of a database's snapshots, oldest first.
func (s *SnapshotsService) List(ctx context.Context, databaseID string, opts ListOptions) ([]Snapshot, *Pagination, error) {
	r := request{method: http.MethodGet, path: databasePath(databaseID) + "/snapshots", query: opts.query()}
	return listPage[Snapshot](ctx, s.client, r)
}

// ListAll walks every page of a database's snapshots.
func (s *SnapshotsService) ListAll(ctx context.Context, databaseID string, opts ListOptions) SnapshotPager {
	opts = withPageLimit(opts)
	return SnapshotPager{newPager(ctx, opts.Page, func(ctx context.Context, page int) ([]Snapshot, *Pagination, error) {
		opts.Page = page
		return s.List(ctx, databaseID, opts)
	})}
}

// Create takes a snapshot holding every transaction committed before the call.
func (s *SnapshotsService) Create(ctx context.Context, databaseID string, params CreateSnapshotParams) (*Snapshot, error) {
	r := request{method: http.MethodPost, path: databasePath(databaseID) + "/snapshots", body: params}
	return getInto[Snapshot](ctx, s.client, r)
}

// Get returns a snapshot by id ("snap-…").
func (s *SnapshotsService) Get(ctx context.Context, id string) (*Snapshot, error) {
	return getInto[Snapshot](ctx, s.client, request{method: http.MethodGet, path: snapshotPath(id)})
}

// Delete removes a snapshot; with opts.Cascade, the branches made from it too.
func (s *SnapshotsService) Delete(ctx context.Context, id string, opts DeleteOptions) error {
	_, err := s.client.call(ctx, request{method: http.MethodDelete, path: snapshotPath(id), query: opts.query()})
	return err
}
