package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSinkStoresAndLists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alerts.jsonl")
	srv := httptest.NewServer((&sink{path: path}).handler())
	defer srv.Close()

	get := func() []map[string]any {
		t.Helper()
		resp, err := http.Get(srv.URL + "/alerts")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got []map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := get(); len(got) != 0 {
		t.Fatalf("empty sink lists %v", got)
	}

	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"status": "firing", "alerts": [{"labels": {"alertname": "A"}}]}`, http.StatusNoContent},
		{"{\n\"status\": \"resolved\"\n}", http.StatusNoContent},
		{`not json`, http.StatusBadRequest},
		{`["an", "array"]`, http.StatusBadRequest},
	} {
		resp, err := http.Post(srv.URL+"/alerts", "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("POST %q: %d, want %d", tc.body, resp.StatusCode, tc.want)
		}
	}

	got := get()
	if len(got) != 2 || got[0]["status"] != "firing" || got[1]["status"] != "resolved" {
		t.Fatalf("listed %v, want the firing then the resolved payload", got)
	}
	// One compact JSON line per payload, so tests can read the file too.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n"); len(lines) != 2 {
		t.Fatalf("file has %d lines, want 2:\n%s", len(lines), raw)
	}
}
