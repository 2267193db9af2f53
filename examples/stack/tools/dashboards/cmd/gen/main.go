// Command gen writes the stack's Grafana dashboards as JSON files into a folder.
//
//	go run ./dashboards/cmd/gen -out ../dashboards
//
// Files it did not write are left alone; the dashboards test fails if the committed JSON
// differs from what this writes.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/starmates-ai-team/telemetry/examples/stack/tools/dashboards"
)

func main() {
	out := flag.String("out", "../dashboards", "folder to write the dashboards to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	files, err := dashboards.All()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(out, f.Name)
		if err := os.WriteFile(path, f.JSON, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", path)
	}
	return nil
}
