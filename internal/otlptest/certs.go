package otlptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Certs is a private certificate authority with one server certificate (for
// 127.0.0.1, ::1 and localhost) and one client certificate, all signed by
// it. The PEM files live in a t.TempDir(), so that OTEL_EXPORTER_OTLP_*
// variables can point at them.
type Certs struct {
	CAFile         string // the CA certificate (OTEL_EXPORTER_OTLP_CERTIFICATE)
	ServerCertFile string
	ServerKeyFile  string
	ClientCertFile string // OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE
	ClientKeyFile  string // OTEL_EXPORTER_OTLP_CLIENT_KEY

	// ClientSubject is the client certificate's subject as a Request's
	// ClientCert reports it.
	ClientSubject string

	CAPool     *x509.CertPool
	ServerCert tls.Certificate
	ClientCert tls.Certificate
}

// NewCerts generates a CA, a server and a client certificate (ECDSA P-256,
// valid for a day) and writes them as PEM files into t.TempDir(). It fails
// t on error.
func NewCerts(t testing.TB) *Certs {
	t.Helper()
	c, err := newCerts(t.TempDir())
	if err != nil {
		t.Fatalf("otlptest: generating certificates: %v", err)
	}
	return c
}

func newCerts(dir string) (*Certs, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "otlptest CA", Organization: []string{"otlptest"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	leaf := func(tmpl *x509.Certificate) (der []byte, key *ecdsa.PrivateKey, err error) {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl.SerialNumber = serial()
		tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(24*time.Hour)
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		der, err = x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		return der, key, err
	}
	serverDER, serverKey, err := leaf(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "otlptest server", Organization: []string{"otlptest"}},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return nil, err
	}
	clientDER, clientKey, err := leaf(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "otlptest client", Organization: []string{"otlptest"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, err
	}
	client, err := x509.ParseCertificate(clientDER)
	if err != nil {
		return nil, err
	}

	c := &Certs{
		CAFile:         filepath.Join(dir, "ca.pem"),
		ServerCertFile: filepath.Join(dir, "server.pem"),
		ServerKeyFile:  filepath.Join(dir, "server-key.pem"),
		ClientCertFile: filepath.Join(dir, "client.pem"),
		ClientKeyFile:  filepath.Join(dir, "client-key.pem"),
		ClientSubject:  client.Subject.String(),
		CAPool:         x509.NewCertPool(),
	}
	c.CAPool.AddCert(ca)
	for _, f := range []struct {
		path, typ string
		der       []byte
	}{
		{c.CAFile, "CERTIFICATE", caDER},
		{c.ServerCertFile, "CERTIFICATE", serverDER},
		{c.ClientCertFile, "CERTIFICATE", clientDER},
	} {
		if err := writePEM(f.path, f.typ, f.der); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		path string
		key  *ecdsa.PrivateKey
	}{{c.ServerKeyFile, serverKey}, {c.ClientKeyFile, clientKey}} {
		der, err := x509.MarshalPKCS8PrivateKey(f.key)
		if err != nil {
			return nil, err
		}
		if err := writePEM(f.path, "PRIVATE KEY", der); err != nil {
			return nil, err
		}
	}
	if c.ServerCert, err = tls.LoadX509KeyPair(c.ServerCertFile, c.ServerKeyFile); err != nil {
		return nil, err
	}
	if c.ClientCert, err = tls.LoadX509KeyPair(c.ClientCertFile, c.ClientKeyFile); err != nil {
		return nil, err
	}
	return c, nil
}

// ServerTLS returns the receiver side configuration: the server
// certificate, and client certificates verified against the CA, required
// when requireClientCert is true and checked if given otherwise.
func (c *Certs) ServerTLS(requireClientCert bool) *tls.Config {
	auth := tls.VerifyClientCertIfGiven
	if requireClientCert {
		auth = tls.RequireAndVerifyClientCert
	}
	return &tls.Config{
		Certificates: []tls.Certificate{c.ServerCert},
		ClientAuth:   auth,
		ClientCAs:    c.CAPool,
		MinVersion:   tls.VersionTLS12,
	}
}

// ClientTLS returns a client configuration that trusts the CA, presenting
// the client certificate when withClientCert is true.
func (c *Certs) ClientTLS(withClientCert bool) *tls.Config {
	cfg := &tls.Config{RootCAs: c.CAPool, MinVersion: tls.VersionTLS12}
	if withClientCert {
		cfg.Certificates = []tls.Certificate{c.ClientCert}
	}
	return cfg
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}
