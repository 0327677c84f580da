package stagdb

import (
	"net/http"
	"os"
	"strings"
	"time"
)

// Version is this SDK's version, sent in the User-Agent header.
const Version = "0.1.0"

const (
	defaultRetries = 3
	defaultTimeout = 5 * time.Minute
)

// Client talks to one StagDB server. Its services are safe for concurrent use.
type Client struct {
	Databases *DatabasesService
	Snapshots *SnapshotsService
	Branches  *BranchesService
	Webhooks  *WebhooksService
	// Operations reads long work (imports, calls answered 202) until it ends.
	Operations *OperationsService

	baseURL    string
	apiKey     string
	httpClient *http.Client
	retries    int
	userAgent  string
}

// Option changes a Client's defaults; pass it to NewClient.
type Option func(*Client)

// WithHTTPClient sends requests through the given client (its Timeout bounds each attempt).
func WithHTTPClient(httpClient *http.Client) Option {
	return func(c *Client) { c.httpClient = httpClient }
}

// WithRetries sets how many times a call is retried after a rate limit, a busy resource or
// a network failure (default 3; 0 turns retries off; a negative number is ignored).
func WithRetries(retries int) Option {
	return func(c *Client) {
		if retries >= 0 {
			c.retries = retries
		}
	}
}

// WithUserAgent replaces the User-Agent header (default "stagdb-go/<Version>").
func WithUserAgent(userAgent string) Option {
	return func(c *Client) { c.userAgent = userAgent }
}

// NewClient returns a client for the server at baseURL, given with or without the trailing
// "/v1". An empty baseURL or apiKey is read from STAGDB_URL or STAGDB_API_KEY.
func NewClient(baseURL, apiKey string, opts ...Option) *Client {
	if baseURL == "" {
		baseURL = os.Getenv("STAGDB_URL")
	}
	if apiKey == "" {
		apiKey = os.Getenv("STAGDB_API_KEY")
	}
	c := &Client{
		baseURL:    NormalizeBaseURL(baseURL),
		apiKey:     apiKey,
		httpClient: &http.Client{Timeout: defaultTimeout},
		retries:    defaultRetries,
		userAgent:  "stagdb-go/" + Version,
	}
	for _, opt := range opts {
		opt(c)
	}
	c.Databases = &DatabasesService{client: c}
	c.Snapshots = &SnapshotsService{client: c}
	c.Branches = &BranchesService{client: c}
	c.Webhooks = &WebhooksService{client: c}
	c.Operations = &OperationsService{client: c}
	return c
}

// BaseURL is the API's root, ending in "/v1".
func (c *Client) BaseURL() string { return c.baseURL }

// NormalizeBaseURL turns "http://h:8080", "http://h:8080/" and "http://h:8080/v1/" alike into
// "http://h:8080/v1".
func NormalizeBaseURL(baseURL string) string {
	trimmed := strings.TrimRight(strings.TrimSpace(baseURL), "/")
	if strings.HasSuffix(trimmed, "/v1") {
		return trimmed
	}
	return trimmed + "/v1"
}
