package muxtel

import (
	"path"
	"testing"
)

func TestClean(t *testing.T) {
	for p, want := range map[string]bool{
		"/": true, "/a": true, "/a/": true, "/a/b/": true, "/users/{id}": true,
		"": false, "a": false, "//": false, "/a//b": false, "/a/./b": false, "/a/../b": false,
		"/a/..": false, "/a//": false, "/.": false, "/a/.": false,
	} {
		if got := clean(p); got != want {
			t.Errorf("clean(%q) = %v, want %v", p, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { clean("/static/a/b/") }); n != 0 {
		t.Errorf("clean allocates %v times, want 0", n)
	}
}

// gorillaCleanPath is gorilla/mux v1.8.1's cleanPath, whose redirects
// clean predicts.
func gorillaCleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

func FuzzClean(f *testing.F) {
	for _, p := range []string{"/", "/a/", "/a//b", "/a/../b", "/./", "", "a/b", "/a/b/.."} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := clean(p), gorillaCleanPath(p) == p; got != want {
			t.Errorf("clean(%q) = %v, gorilla redirects: %v", p, got, !want)
		}
	})
}
