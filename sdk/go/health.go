package stagdb

import (
	"context"
	"net/http"
)

// Health probes the server and its dependencies. An unhealthy server (HTTP 503) is not an
// error: the answer says which dependency is down.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	r := request{method: http.MethodGet, path: "/health", answerStatuses: []int{http.StatusServiceUnavailable}}
	return getInto[Health](ctx, c, r)
}
