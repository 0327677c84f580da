package stagdb

import (
	"context"
	"encoding/json"
)

// Pagination describes one page of a list answer.
type Pagination struct {
	Page  int `json:"page"`
	Limit int `json:"limit"`
	Total int `json:"total"`
	Pages int `json:"pages"`
}

// UnmarshalJSON reads the page count from "pages", or from "total_pages" as older servers
// name it.
func (p *Pagination) UnmarshalJSON(data []byte) error {
	var wire struct {
		Page       int  `json:"page"`
		Limit      int  `json:"limit"`
		Total      int  `json:"total"`
		Pages      *int `json:"pages"`
		TotalPages *int `json:"total_pages"`
	}
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	*p = Pagination{Page: wire.Page, Limit: wire.Limit, Total: wire.Total}
	if wire.Pages != nil {
		p.Pages = *wire.Pages
	} else if wire.TotalPages != nil {
		p.Pages = *wire.TotalPages
	}
	return nil
}

// pageLimit is the page size of ListAll pagers unless told otherwise: the API's largest,
// for the fewest calls.
const pageLimit = 100

// withPageLimit returns opts with the pagers' default page size when it has none.
func withPageLimit(opts ListOptions) ListOptions {
	if opts.Limit == 0 {
		opts.Limit = pageLimit
	}
	return opts
}

// pageFetcher gets one page of a list.
type pageFetcher[T any] func(ctx context.Context, page int) ([]T, *Pagination, error)

// pager walks every page of a list, one request per page, as Next is called.
type pager[T any] struct {
	ctx     context.Context
	fetch   pageFetcher[T]
	page    int
	items   []T
	index   int
	current T
	done    bool
	err     error
}

func newPager[T any](ctx context.Context, firstPage int, fetch pageFetcher[T]) *pager[T] {
	if firstPage < 1 {
		firstPage = 1
	}
	return &pager[T]{ctx: ctx, fetch: fetch, page: firstPage}
}

// Next moves to the next item, fetching the next page when needed; it returns false at the
// end of the list or on an error (see Err).
func (p *pager[T]) Next() bool {
	for p.index >= len(p.items) {
		if p.done || p.err != nil {
			return false
		}
		items, pagination, err := p.fetch(p.ctx, p.page)
		if err != nil {
			p.err = err
			return false
		}
		p.items, p.index = items, 0
		if pagination == nil || p.page >= pagination.Pages || len(items) == 0 {
			p.done = true
		}
		p.page++
	}
	p.current = p.items[p.index]
	p.index++
	return true
}

// Err is the error that stopped the walk, or nil.
func (p *pager[T]) Err() error { return p.err }

// DatabasePager walks every page of a list of databases:
//
//	for p := client.Databases.ListAll(ctx, opts); p.Next(); { use(p.Database()) }
//	if err := p.Err(); ...
type DatabasePager struct{ *pager[Database] }

// Database is the item Next moved to.
func (p DatabasePager) Database() Database { return p.current }

// SnapshotPager walks every page of a database's snapshots.
type SnapshotPager struct{ *pager[Snapshot] }

// Snapshot is the item Next moved to.
func (p SnapshotPager) Snapshot() Snapshot { return p.current }

// WebhookPager walks every page of the webhooks.
type WebhookPager struct{ *pager[Webhook] }

// Webhook is the item Next moved to.
func (p WebhookPager) Webhook() Webhook { return p.current }

// DeliveryPager walks every page of a webhook's deliveries.
type DeliveryPager struct{ *pager[WebhookDelivery] }

// Delivery is the item Next moved to.
func (p DeliveryPager) Delivery() WebhookDelivery { return p.current }

// listPage calls a list endpoint and decodes one page of it.
func listPage[T any](ctx context.Context, c *Client, r request) ([]T, *Pagination, error) {
	answer, err := c.call(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	var items []T
	if err := decode(answer, &items); err != nil {
		return nil, nil, err
	}
	return items, answer.Pagination, nil
}
