// Command bcrypt reads a password on standard input and prints its bcrypt hash, for the
// basic_auth_users of a Prometheus web config (the local stand-in for Grafana Cloud's
// remote-write endpoint). A trailing newline on the input is not part of the password.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

func main() {
	in, err := io.ReadAll(io.LimitReader(os.Stdin, 1024))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bcrypt:", err)
		os.Exit(1)
	}
	password := strings.TrimRight(string(in), "\r\n")
	if password == "" {
		fmt.Fprintln(os.Stderr, "bcrypt: empty password on standard input")
		os.Exit(1)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bcrypt:", err)
		os.Exit(1)
	}
	fmt.Println(string(hash))
}
