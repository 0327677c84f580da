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

// reply is what the stub server answers one request with; drop closes the connection instead.
type reply struct {
	status int
	header map[string]string
	body   interface{}
	drop   bool
}

type recorded struct {
	method string
	uri    string
	header http.Header
	body   string
}

// stub is a scripted HTTP server on 127.0.0.1 for what a real server will not do on demand
// (429s, dropped connections): it records every request and replies in order.
type stub struct {
	*httptest.Server
	mu       sync.Mutex
	replies  []reply
	requests []recorded
}

func newStub(t *testing.T, replies ...reply) *stub {
	t.Helper()
	s := &stub{replies: replies}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *stub) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, recorded{r.Method, r.URL.RequestURI(), r.Header.Clone(), string(body)})
	next := reply{status: 500, body: map[string]interface{}{"success": false}}
	if len(s.replies) > 0 {
		next, s.replies = s.replies[0], s.replies[1:]
	}
	s.mu.Unlock()
	if next.drop {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	for name, value := range next.header {
		w.Header().Set(name, value)
	}
	w.WriteHeader(next.status)
	if text, ok := next.body.(string); ok {
		_, _ = io.WriteString(w, text)
	} else if next.body != nil {
		_ = json.NewEncoder(w).Encode(next.body)
	}
}

func (s *stub) recorded() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.requests...)
}

func (s *stub) client(opts ...stagdb.Option) *stagdb.Client {
	return stagdb.NewClient(s.URL, "sdb_test", opts...)
}

func ok(data interface{}) reply {
	return reply{status: 200, body: map[string]interface{}{"success": true, "data": data, "message": "ok"}}
}

func page(data interface{}, pagination map[string]int) reply {
	return reply{status: 200, body: map[string]interface{}{
		"success": true, "data": data, "message": "ok", "pagination": pagination,
	}}
}

func failure(status int, code string, header map[string]string) reply {
	h := map[string]string{"X-Request-ID": "req-stub"}
	for name, value := range header {
		h[name] = value
	}
	return reply{status: status, header: h, body: map[string]interface{}{
		"success": false, "error": map[string]string{"code": code, "message": code + " from the stub"},
	}}
}
