// Command alertsink stands in for Grafana OnCall in the local stack: an Alertmanager
// webhook receiver that appends every POSTed payload, compacted to one JSON line, to a
// file, and serves them back.
//
//	POST /alerts  store one Alertmanager webhook payload (any JSON object)
//	GET  /alerts  all stored payloads as a JSON array, oldest first
//
// The file is the only state, so payloads survive a restart and tests can read either the
// file or the endpoint.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// maxPayload bounds one webhook body; Alertmanager's are a few kilobytes.
const maxPayload = 1 << 20

func main() {
	addr := flag.String("addr", "127.0.0.1:19095", "listen address")
	file := flag.String("file", "alerts.jsonl", "file the payloads are appended to, one JSON line each")
	flag.Parse()
	if err := run(*addr, *file); err != nil {
		fmt.Fprintln(os.Stderr, "alertsink:", err)
		os.Exit(1)
	}
}

func run(addr, file string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	s := &sink{path: file}
	srv := &http.Server{Addr: addr, Handler: s.handler(), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("listening", "addr", addr, "file", file)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sink appends payloads to a JSON-lines file; mu serialises writers and readers.
type sink struct {
	mu   sync.Mutex
	path string
}

func (s *sink) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /alerts", s.post)
	mux.HandleFunc("GET /alerts", s.list)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return mux
}

func (s *sink) post(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	var line bytes.Buffer
	if err := json.Compact(&line, body); err != nil || !bytes.HasPrefix(line.Bytes(), []byte("{")) {
		http.Error(w, "body is not a JSON object", http.StatusBadRequest)
		return
	}
	line.WriteByte('\n')

	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = f.Write(line.Bytes())
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		slog.Error("store payload", "err", err)
		http.Error(w, "cannot store payload", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *sink) list(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	payloads := []json.RawMessage{}
	f, err := os.Open(s.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		http.Error(w, "cannot read payloads", http.StatusInternalServerError)
		return
	default:
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64*1024), maxPayload+1)
		for sc.Scan() {
			payloads = append(payloads, json.RawMessage(bytes.Clone(sc.Bytes())))
		}
		if sc.Err() != nil {
			http.Error(w, "cannot read payloads", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(payloads)
}
