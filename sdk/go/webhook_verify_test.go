package stagdb_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	stagdb "github.com/stagdb/stagdb-go"
)

const (
	testSecret = "whsec_test_secret_0123456789"
	testBody   = `{"data":{"webhook_id":"wh-5m1k8r3x7q2d"},"event":"webhook.test","timestamp":"2025-01-15T12:40:00.101112Z"}`
)

// signed returns the headers the server sends with body at the given time.
func signed(body string, at time.Time, secret string) http.Header {
	timestamp := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "." + body))
	header := http.Header{}
	header.Set("X-StagDB-Timestamp", timestamp)
	header.Set("X-StagDB-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	return header
}

func TestVerifyWebhookAcceptsAGenuineDelivery(t *testing.T) {
	if err := stagdb.VerifyWebhook([]byte(testBody), signed(testBody, time.Now(), testSecret), testSecret); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyWebhookRejectsForgeries(t *testing.T) {
	header := signed(testBody, time.Now(), testSecret)
	cases := map[string]error{
		"another secret": stagdb.VerifyWebhook([]byte(testBody), header, "whsec_other_secret_000"),
		"altered body":   stagdb.VerifyWebhook([]byte(testBody+" "), header, testSecret),
		"no signature":   stagdb.VerifyWebhook([]byte(testBody), http.Header{"X-Stagdb-Timestamp": header["X-Stagdb-Timestamp"]}, testSecret),
	}
	for name, err := range cases {
		if !errors.Is(err, stagdb.ErrWebhookSignature) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestVerifyWebhookRejectsStaleTimestamps(t *testing.T) {
	for _, offset := range []time.Duration{-301 * time.Second, 301 * time.Second} {
		err := stagdb.VerifyWebhook([]byte(testBody), signed(testBody, time.Now().Add(offset), testSecret), testSecret)
		if !errors.Is(err, stagdb.ErrWebhookTimestamp) {
			t.Errorf("%v away: got %v", offset, err)
		}
	}
	if err := stagdb.VerifyWebhook([]byte(testBody), signed(testBody, time.Now().Add(-290*time.Second), testSecret), testSecret); err != nil {
		t.Errorf("290 s old: %v", err)
	}
	header := signed(testBody, time.Now(), testSecret)
	header.Set("X-StagDB-Timestamp", "yesterday")
	if err := stagdb.VerifyWebhook([]byte(testBody), header, testSecret); !errors.Is(err, stagdb.ErrWebhookTimestamp) {
		t.Errorf("unreadable timestamp: got %v", err)
	}
}
