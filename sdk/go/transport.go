package stagdb

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// request is one API call: a method, a path below the base URL, and what to send.
type request struct {
	method string
	path   string
	query  url.Values
	body   interface{} // sent as JSON; nil sends no body
	// answerStatuses besides 2xx whose envelope is an answer, not an error (503 from /health).
	answerStatuses []int
}

// envelope is the body of every answer.
type envelope struct {
	Success    bool            `json:"success"`
	Data       json.RawMessage `json:"data"`
	Message    string          `json:"message"`
	Pagination *Pagination     `json:"pagination"`
	Error      *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// call sends r, retrying rate limits, busy resources and network failures, and returns the
// answer's envelope; a POST's Idempotency-Key is the same on every attempt.
func (c *Client) call(ctx context.Context, r request) (*envelope, error) {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("stagdb: encoding the request body: %w", err)
		}
	}
	idempotencyKey := ""
	if r.method == http.MethodPost {
		var err error
		if idempotencyKey, err = newUUID(); err != nil {
			return nil, fmt.Errorf("stagdb: making an idempotency key: %w", err)
		}
	}
	for attempt := 0; ; attempt++ {
		canRetry := attempt < c.retries
		answer, status, header, err := c.attempt(ctx, r, payload, idempotencyKey)
		if err != nil {
			if ctx.Err() != nil || !canRetry {
				return nil, fmt.Errorf("stagdb: %s %s: %w", r.method, r.path, err)
			}
			if err := sleep(ctx, backoff(attempt)); err != nil {
				return nil, err
			}
			continue
		}
		if (status >= 200 && status < 300) || contains(r.answerStatuses, status) {
			return answer, nil
		}
		apiErr := errorOf(answer, status, header)
		if !canRetry {
			return nil, apiErr
		}
		retryAfter, given := parseRetryAfter(header.Get("Retry-After"))
		delay, retry := retryDelay(failedAnswer{
			status:          status,
			retryAfter:      retryAfter,
			retryAfterGiven: given,
			replayed:        header.Get("Idempotent-Replayed") == "true",
		}, attempt)
		if !retry {
			return nil, apiErr
		}
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// attempt makes one HTTP exchange; an error means no (complete) answer came.
func (c *Client) attempt(ctx context.Context, r request, payload []byte, idempotencyKey string) (*envelope, int, http.Header, error) {
	target, err := url.Parse(c.baseURL + r.path)
	if err != nil {
		return nil, 0, nil, err
	}
	target.RawQuery = r.query.Encode()
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target.String(), body)
	if err != nil {
		return nil, 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, nil, err
	}
	answer := &envelope{}
	if json.Unmarshal(raw, answer) != nil {
		answer = &envelope{} // not the envelope (a proxy's page, say): judged by status alone
	}
	return answer, resp.StatusCode, resp.Header, nil
}

func errorOf(answer *envelope, status int, header http.Header) *Error {
	apiErr := &Error{
		Code:       codeForStatus(status),
		Message:    fmt.Sprintf("HTTP %d %s", status, http.StatusText(status)),
		StatusCode: status,
		RequestID:  header.Get("X-Request-ID"),
	}
	apiErr.RetryAfter, _ = parseRetryAfter(header.Get("Retry-After"))
	if answer.Error != nil && answer.Error.Code != "" {
		apiErr.Code = answer.Error.Code
		apiErr.Message = answer.Error.Message
	}
	return apiErr
}

// decode unmarshals an answer's data into out.
func decode(answer *envelope, out interface{}) error {
	if err := json.Unmarshal(answer.Data, out); err != nil {
		return fmt.Errorf("stagdb: decoding the answer: %w", err)
	}
	return nil
}

// callInto sends r and decodes the answer's data into out.
func (c *Client) callInto(ctx context.Context, r request, out interface{}) error {
	answer, err := c.call(ctx, r)
	if err != nil {
		return err
	}
	return decode(answer, out)
}

// getInto sends r and returns its data decoded as a T.
func getInto[T any](ctx context.Context, c *Client, r request) (*T, error) {
	out := new(T)
	if err := c.callInto(ctx, r, out); err != nil {
		return nil, err
	}
	return out, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

func contains(values []int, value int) bool {
	for _, v := range values {
		if v == value {
			return true
		}
	}
	return false
}
