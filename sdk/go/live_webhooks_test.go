package stagdb_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	stagdb "github.com/stagdb/stagdb-go"
)

func TestLiveWebhooks(t *testing.T) {
	c := liveClient(t)
	ctx := liveContext(t)

	var mu sync.Mutex
	secret := ""
	var verified []stagdb.WebhookEvent
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		var event stagdb.WebhookEvent
		if stagdb.VerifyWebhook(body, r.Header, secret) != nil || json.Unmarshal(body, &event) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		verified = append(verified, event)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	webhook, err := c.Webhooks.Create(ctx, stagdb.CreateWebhookParams{URL: receiver.URL + "/hooks", Events: []string{"database.created"}})
	if err != nil || webhook.Secret == "" || !webhook.Active {
		t.Fatalf("create: %+v, %v", webhook, err)
	}
	mu.Lock()
	secret = webhook.Secret
	mu.Unlock()
	t.Cleanup(func() { _ = c.Webhooks.Delete(ctx, webhook.ID) })

	delivery, err := c.Webhooks.Test(ctx, webhook.ID)
	if err != nil || delivery.Status != "delivered" || delivery.ResponseCode == nil || *delivery.ResponseCode != 204 {
		t.Fatalf("test delivery: %+v, %v", delivery, err)
	}
	mu.Lock()
	if len(verified) != 1 || verified[0].Event != "webhook.test" {
		t.Errorf("verified %+v", verified)
	}
	mu.Unlock()

	inHistory := false
	for p := c.Webhooks.ListAllDeliveries(ctx, webhook.ID, stagdb.ListOptions{}); p.Next(); {
		inHistory = inHistory || p.Delivery().ID == delivery.ID
	}
	if !inHistory {
		t.Error("the test delivery is not in the history")
	}

	var extra []string
	for i := 0; i < 2; i++ {
		made, err := c.Webhooks.Create(ctx, stagdb.CreateWebhookParams{URL: receiver.URL, Events: []string{"*"}})
		if err != nil {
			t.Fatal(err)
		}
		extra = append(extra, made.ID)
	}
	paused, err := c.Webhooks.Update(ctx, webhook.ID, stagdb.UpdateWebhookParams{Active: stagdb.Bool(false)})
	if err != nil || paused.Active {
		t.Fatalf("pause: %+v, %v", paused, err)
	}
	listed := map[string]bool{}
	p := c.Webhooks.ListAll(ctx, stagdb.ListOptions{Limit: 1})
	for p.Next() {
		listed[p.Webhook().ID] = true
	}
	if p.Err() != nil {
		t.Fatal(p.Err())
	}
	for _, id := range append(extra, webhook.ID) {
		if !listed[id] {
			t.Errorf("%s is not listed", id)
		}
	}
	for _, id := range extra {
		if err := c.Webhooks.Delete(ctx, id); err != nil {
			t.Error(err)
		}
	}

	if err := c.Webhooks.Delete(ctx, webhook.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Webhooks.Get(ctx, webhook.ID); !stagdb.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
}
