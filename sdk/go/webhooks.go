package stagdb

import (
	"context"
	"net/http"
	"net/url"
)

// WebhooksService manages webhooks (signed HTTP callbacks for lifecycle events) and shows
// their deliveries.
type WebhooksService struct{ client *Client }

func webhookPath(id string) string { return "/webhooks/" + url.PathEscape(id) }

// List returns one page of webhooks, oldest first; secrets are never shown.
func (s *WebhooksService) List(ctx context.Context, opts ListOptions) ([]Webhook, *Pagination, error) {
	return listPage[Webhook](ctx, s.client, request{method: http.MethodGet, path: "/webhooks", query: opts.query()})
}

// ListAll walks every page of webhooks.
func (s *WebhooksService) ListAll(ctx context.Context, opts ListOptions) WebhookPager {
	opts = withPageLimit(opts)
	return WebhookPager{newPager(ctx, opts.Page, func(ctx context.Context, page int) ([]Webhook, *Pagination, error) {
		opts.Page = page
		return s.List(ctx, opts)
	})}
}

// Create subscribes a URL to events; the answer carries the signing secret, shown this once.
func (s *WebhooksService) Create(ctx context.Context, params CreateWebhookParams) (*CreatedWebhook, error) {
	return getInto[CreatedWebhook](ctx, s.client, request{method: http.MethodPost, path: "/webhooks", body: params})
}

// Get returns a webhook by id ("wh-…").
func (s *WebhooksService) Get(ctx context.Context, id string) (*Webhook, error) {
	return getInto[Webhook](ctx, s.client, request{method: http.MethodGet, path: webhookPath(id)})
}

// Update changes a webhook's URL, events, secret or whether it is active.
func (s *WebhooksService) Update(ctx context.Context, id string, params UpdateWebhookParams) (*Webhook, error) {
	return getInto[Webhook](ctx, s.client, request{method: http.MethodPut, path: webhookPath(id), body: params})
}

// Delete removes a webhook.
func (s *WebhooksService) Delete(ctx context.Context, id string) error {
	_, err := s.client.call(ctx, request{method: http.MethodDelete, path: webhookPath(id)})
	return err
}

// Test sends a "webhook.test" delivery and returns it after its first attempt.
func (s *WebhooksService) Test(ctx context.Context, id string) (*WebhookDelivery, error) {
	return getInto[WebhookDelivery](ctx, s.client, request{method: http.MethodPost, path: webhookPath(id) + "/test"})
}

// ListDeliveries returns one page of a webhook's deliveries, oldest first.
func (s *WebhooksService) ListDeliveries(ctx context.Context, id string, opts ListOptions) ([]WebhookDelivery, *Pagination, error) {
	r := request{method: http.MethodGet, path: webhookPath(id) + "/deliveries", query: opts.query()}
	return listPage[WebhookDelivery](ctx, s.client, r)
}

// ListAllDeliveries walks every page of a webhook's deliveries.
func (s *WebhooksService) ListAllDeliveries(ctx context.Context, id string, opts ListOptions) DeliveryPager {
	opts = withPageLimit(opts)
	return DeliveryPager{newPager(ctx, opts.Page, func(ctx context.Context, page int) ([]WebhookDelivery, *Pagination, error) {
		opts.Page = page
		return s.ListDeliveries(ctx, id, opts)
	})}
}
