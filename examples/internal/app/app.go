// Package app holds the three example services of the AI product,
// api-gateway -> workflow-engine -> workflow-agent, written against the
// SDK's public API only, and the machinery to run them together on
// loopback ports. The per-service commands, the demo and the end-to-end
// suite all use it.
package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/examples/internal/fakellm"
	"github.com/starmates-ai-team/telemetry/logbridge"
	"github.com/starmates-ai-team/telemetry/middleware"
)

// Service names, as they appear in the service label and in Jaeger.
const (
	Gateway = "api-gateway"
	Engine  = "workflow-engine"
	Agent   = "workflow-agent"
)

// Service is one running example service.
type Service struct {
	Name   string
	Tel    *telemetry.Telemetry
	Logger *slog.Logger
	URL    string // http://127.0.0.1:PORT

	srv  *http.Server
	ln   net.Listener
	done chan struct{}
	stop func() // stops background jobs
}

// NewTelemetry builds the Telemetry of one service.
type NewTelemetry func(ctx context.Context, service string) (*telemetry.Telemetry, error)

// Config tells Start how to build the services.
type Config struct {
	NewTelemetry NewTelemetry
	Console      io.Writer                   // where the services' log lines go; nil: io.Discard
	Addr         func(service string) string // listen address; nil: 127.0.0.1:0
	// LLM configures the fake model provider workflow-agent calls; nil:
	// DefaultLLM.
	LLM *fakellm.Config
}

// DefaultLLM is the fake provider of the examples: a first token after
// 30-70 ms, 12 chunks 3 ms apart, and every 10th call's first attempt
// rate limited (the client's retry succeeds: one call, two attempts).
func DefaultLLM() fakellm.Config {
	return fakellm.Config{RateLimitEvery: 10}
}

// Chain is the three services, wired to each other.
type Chain struct {
	Gateway, Engine, Agent *Service
	// LLM is the fake model provider the agent calls (OpenAI and Anthropic
	// APIs on one loopback port).
	LLM *fakellm.Server

	// internalToken marks the callers api-gateway trusts (the workload,
	// standing in for internal jobs and monitors): their trace context is
	// continued. Everyone else is an internet caller, and the gateway is a
	// public endpoint for them (middleware.WithPublicEndpointFn).
	internalToken string
}

// InternalTokenHeader is the header that carries the internal token.
const InternalTokenHeader = "X-Internal-Token"

// Workload returns DefaultWorkload against the chain's gateway, sending
// the internal token so that its trace ids are the traces' ids.
func (c *Chain) Workload(d time.Duration) Workload {
	wl := DefaultWorkload(c.Gateway.URL, d)
	wl.InternalToken = c.internalToken
	return wl
}

// Services returns the three services, gateway first.
func (c *Chain) Services() []*Service { return []*Service{c.Gateway, c.Engine, c.Agent} }

// Start starts the fake model provider, workflow-agent, workflow-engine
// and api-gateway, each service with its own Telemetry, and wires them
// with the SDK's client transport.
func Start(ctx context.Context, cfg Config) (*Chain, error) {
	if cfg.Console == nil {
		cfg.Console = io.Discard
	}
	c := &Chain{internalToken: newToken()}
	llm := DefaultLLM()
	if cfg.LLM != nil {
		llm = *cfg.LLM
	}
	var err error
	if c.LLM, err = fakellm.Start(llm); err != nil {
		return nil, err
	}
	urls := llmURLs{OpenAI: c.LLM.OpenAIBaseURL(), Anthropic: c.LLM.AnthropicBaseURL()}
	if c.Agent, err = start(ctx, cfg, Agent, func(s *Service) (http.Handler, error) { return newAgent(s, urls) }); err != nil {
		_ = c.LLM.Close()
		return nil, err
	}
	if c.Engine, err = start(ctx, cfg, Engine, func(s *Service) (http.Handler, error) { return newEngine(s, c.Agent.URL), nil }); err != nil {
		c.Close(ctx)
		return nil, err
	}
	if c.Gateway, err = start(ctx, cfg, Gateway, func(s *Service) (http.Handler, error) { return newGateway(s, c.Engine.URL, c.internalToken) }); err != nil {
		c.Close(ctx)
		return nil, err
	}
	return c, nil
}

func start(ctx context.Context, cfg Config, name string, build func(*Service) (http.Handler, error)) (*Service, error) {
	tel, err := cfg.NewTelemetry(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// WithSDKErrors: the SDK's own errors (a collector that is down) become
	// lines of this log, in its JSON format, instead of text on stderr.
	logger, err := logbridge.New(tel, logbridge.WithWriter(cfg.Console), logbridge.WithSDKErrors())
	if err != nil {
		_ = tel.Shutdown(ctx)
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	addr := "127.0.0.1:0"
	if cfg.Addr != nil {
		addr = cfg.Addr(name)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = tel.Shutdown(ctx)
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &Service{Name: name, Tel: tel, Logger: logger, URL: "http://" + ln.Addr().String(), ln: ln, done: make(chan struct{}), stop: func() {}}
	h, err := build(s)
	if err != nil {
		ln.Close()
		_ = tel.Shutdown(ctx)
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s.srv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve", "error", err)
		}
	}()
	return s, nil
}

// Close stops the HTTP server, the background jobs and the Telemetry
// (which flushes what was recorded).
func (s *Service) Close(ctx context.Context) error {
	if s == nil {
		return nil
	}
	s.stop()
	err := s.srv.Shutdown(ctx)
	<-s.done
	return errors.Join(err, s.Tel.Shutdown(ctx))
}

// Close stops the three services, in parallel for the telemetry flush,
// then the fake model provider.
func (c *Chain) Close(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i, s := range []*Service{c.Gateway, c.Engine, c.Agent} {
		wg.Go(func() { errs[i] = s.Close(ctx) })
	}
	wg.Wait()
	errs[3] = c.LLM.Close()
	return errors.Join(errs...)
}

// instrument wraps a service's mux in the SDK's middleware, with health
// checks excluded.
func instrument(s *Service, mux *http.ServeMux, opts ...middleware.Option) http.Handler {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	// WithLogger puts the service's logger in each request's context:
	// handlers log with logbridge.From(r.Context()) and get the trace ids.
	opts = append([]middleware.Option{middleware.ExcludePaths("/healthz"), middleware.WithLogger(s.Logger)}, opts...)
	return middleware.New(s.Tel, opts...)(mux)
}

// untrusted reports whether r comes from outside: without the internal
// token. For such requests api-gateway is a public endpoint: their
// traceparent starts a new trace linked to theirs (their sampled flag
// decides nothing) and their baggage is dropped.
func untrusted(token string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return subtle.ConstantTimeCompare([]byte(r.Header.Get(InternalTokenHeader)), []byte(token)) != 1
	}
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// client is the traced HTTP client a service calls the next one with.
func client(s *Service) *http.Client {
	return &http.Client{Transport: middleware.Transport(s.Tel, nil), Timeout: 10 * time.Second}
}
