package fakellm_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/starmates-ai-team/telemetry/examples/internal/fakellm"
)

// TestBadRequestBodies: a body over 4 MiB, or one that is not JSON, gets
// the provider's 400 on every endpoint, before any model work.
func TestBadRequestBodies(t *testing.T) {
	srv := fakellm.New(fakellm.Config{})
	for _, body := range [][]byte{make([]byte, 4<<20+1), []byte("{")} {
		for _, path := range paths {
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "http://fake"+path, bytes.NewReader(body)))
			if w.Code != http.StatusBadRequest {
				t.Errorf("%s with a %d-byte body: status %d, want 400", path, len(body), w.Code)
			}
		}
	}
	if err := (*fakellm.Server)(nil).Close(); err != nil {
		t.Errorf("Close of a nil Server: %v", err)
	}
}
