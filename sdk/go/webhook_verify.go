package stagdb

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"
)

// WebhookTolerance is how far a delivery's timestamp may be from this clock.
const WebhookTolerance = 300 * time.Second

// Why VerifyWebhook rejects a delivery.
var (
	ErrWebhookSignature = errors.New("stagdb: webhook signature missing or does not match the body")
	ErrWebhookTimestamp = errors.New("stagdb: webhook timestamp missing, unreadable or more than 300 s away")
)

// VerifyWebhook checks that a delivery came from StagDB: X-StagDB-Signature must be
// "sha256=" and the hex HMAC-SHA256 of "{X-StagDB-Timestamp}.{body}" keyed with secret,
// and the timestamp within WebhookTolerance of now. body is the raw request body, before
// any JSON decoding. It returns nil, ErrWebhookSignature or ErrWebhookTimestamp.
func VerifyWebhook(body []byte, header http.Header, secret string) error {
	timestamp := header.Get("X-StagDB-Timestamp")
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || seconds < 0 {
		return ErrWebhookTimestamp
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	expected := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(expected), []byte(header.Get("X-StagDB-Signature"))) {
		return ErrWebhookSignature
	}
	if math.Abs(float64(time.Now().Unix()-seconds)) > WebhookTolerance.Seconds() {
		return ErrWebhookTimestamp
	}
	return nil
}
