package httpconv

import (
	"net/http"
	"strings"
)

// SplitHostPort splits "host", "host:port", "[v6]", "[v6]:port" or ":port"
// into the host (without brackets) and the port, -1 when there is none or
// it is not a number in 0..65535. An unbracketed IPv6 address (more than
// one colon) is all host. It does not allocate.
func SplitHostPort(hostport string) (host string, port int) {
	if hostport == "" {
		return "", -1
	}
	if hostport[0] == '[' {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "", -1
		}
		host, rest := hostport[1:end], hostport[end+1:]
		if len(rest) > 1 && rest[0] == ':' {
			return host, parsePort(rest[1:])
		}
		return host, -1
	}
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 {
		return hostport, -1
	}
	if strings.IndexByte(hostport[:i], ':') >= 0 {
		return hostport, -1 // an IPv6 address without brackets
	}
	return hostport[:i], parsePort(hostport[i+1:])
}

func parsePort(s string) int {
	if s == "" || len(s) > 5 {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return -1
	}
	return n
}

// ForwardedClient returns the address of the original client that the
// forwarding headers name, without its port: the for= parameter of the
// first element of the first Forwarded header (RFC 7239), else the first
// address of the first X-Forwarded-For header; "" when neither names one
// ("unknown" and obfuscated identifiers such as "_hidden" do not count).
// Only a proxy in front of the server makes these headers trustworthy: any
// client can send them. It does not allocate.
func ForwardedClient(h http.Header) string {
	if v := h["Forwarded"]; len(v) > 0 {
		if a := forwardedFor(v[0]); a != "" {
			return a
		}
	}
	if v := h["X-Forwarded-For"]; len(v) > 0 {
		first := v[0]
		if i := strings.IndexByte(first, ','); i >= 0 {
			first = first[:i]
		}
		return clientHost(strings.Trim(first, " \t"))
	}
	return ""
}

// forwardedFor returns the host of the for= parameter of the first element
// of a Forwarded header value.
func forwardedFor(v string) string {
	for len(v) > 0 {
		// One parameter: up to ';' or ',' (the end of the first element),
		// outside a quoted string.
		end, quoted := 0, false
		for ; end < len(v); end++ {
			c := v[end]
			if c == '"' {
				quoted = !quoted
			} else if c == '\\' && quoted {
				end++
			} else if !quoted && (c == ';' || c == ',') {
				break
			}
		}
		param := strings.Trim(v[:min(end, len(v))], " \t")
		if k, val, ok := strings.Cut(param, "="); ok && strings.EqualFold(strings.TrimRight(k, " \t"), "for") {
			val = strings.Trim(val, " \t")
			if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
				val = val[1 : len(val)-1]
			}
			return clientHost(val)
		}
		if end >= len(v) || v[end] == ',' {
			return ""
		}
		v = v[end+1:]
	}
	return ""
}

// clientHost strips the port from a forwarded node name and drops the
// values that are not addresses.
func clientHost(node string) string {
	host := node
	if strings.IndexByte(node, ':') >= 0 {
		host, _ = SplitHostPort(node)
	}
	if host == "" || strings.EqualFold(host, "unknown") || host[0] == '_' {
		return ""
	}
	return host
}

// ProtocolVersion returns the network.protocol.version of a request or
// response with the given protocol numbers and Proto string: "1.0", "1.1",
// "2", "3", else what follows the slash in proto. It does not allocate.
func ProtocolVersion(major, minor int, proto string) string {
	switch {
	case major == 1 && minor == 1:
		return "1.1"
	case major == 1 && minor == 0:
		return "1.0"
	case major == 2 && minor == 0:
		return "2"
	case major == 3 && minor == 0:
		return "3"
	}
	if _, v, ok := strings.Cut(proto, "/"); ok {
		return v
	}
	return ""
}
