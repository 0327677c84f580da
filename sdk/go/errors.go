package stagdb

import (
	"errors"
	"fmt"
	"time"
)

// The error codes the API documents.
const (
	CodeValidation            = "VALIDATION_ERROR"
	CodeUnauthorized          = "UNAUTHORIZED"
	CodeNotFound              = "NOT_FOUND"
	CodeResourceBusy          = "RESOURCE_BUSY"
	CodeRateLimited           = "RATE_LIMITED"
	CodeInsufficientResources = "INSUFFICIENT_RESOURCES"
	CodeServerError           = "SERVER_ERROR"
)

// Error is a failed answer from the API. Failures without an answer (the connection, a
// timeout, a cancelled context) are returned as the underlying error, wrapped.
type Error struct {
	Code       string
	Message    string
	StatusCode int
	// RequestID is the X-Request-ID of the answer: quote it when reporting a problem.
	RequestID string
	// RetryAfter is the server's Retry-After (set with RATE_LIMITED), or 0.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	text := fmt.Sprintf("stagdb: %s (HTTP %d): %s", e.Code, e.StatusCode, e.Message)
	if e.RequestID != "" {
		text += " [request " + e.RequestID + "]"
	}
	return text
}

// HasCode reports whether err is an *Error with the given code.
func HasCode(err error, code string) bool {
	var apiErr *Error
	return errors.As(err, &apiErr) && apiErr.Code == code
}

// IsValidation reports whether err is a VALIDATION_ERROR answer.
func IsValidation(err error) bool { return HasCode(err, CodeValidation) }

// IsUnauthorized reports whether err is an UNAUTHORIZED answer.
func IsUnauthorized(err error) bool { return HasCode(err, CodeUnauthorized) }

// IsNotFound reports whether err is a NOT_FOUND answer.
func IsNotFound(err error) bool { return HasCode(err, CodeNotFound) }

// IsResourceBusy reports whether err is a RESOURCE_BUSY answer.
func IsResourceBusy(err error) bool { return HasCode(err, CodeResourceBusy) }

// IsRateLimited reports whether err is a RATE_LIMITED answer.
func IsRateLimited(err error) bool { return HasCode(err, CodeRateLimited) }

// IsInsufficientResources reports whether err is an INSUFFICIENT_RESOURCES answer.
func IsInsufficientResources(err error) bool { return HasCode(err, CodeInsufficientResources) }

// IsServerError reports whether err is a SERVER_ERROR answer.
func IsServerError(err error) bool { return HasCode(err, CodeServerError) }

// codeForStatus names the code of an answer that came without the error envelope.
func codeForStatus(status int) string {
	switch {
	case status == 400 || status == 405:
		return CodeValidation
	case status == 401:
		return CodeUnauthorized
	case status == 404:
		return CodeNotFound
	case status == 409:
		return CodeResourceBusy
	case status == 429:
		return CodeRateLimited
	case status == 507:
		return CodeInsufficientResources
	case status >= 500:
		return CodeServerError
	default:
		return "HTTP_ERROR"
	}
}
