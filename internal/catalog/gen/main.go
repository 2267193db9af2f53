// Command gen writes the documents generated from the metric catalogue:
// docs/metrics.md and the metric table of README.md. Run it with
// go generate ./internal/catalog.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/starmates-ai-team/telemetry/internal/catalog"
)

func main() {
	if err := run(filepath.Join("..", "..")); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// run writes the documents under root, the repository's top directory.
func run(root string) error {
	if err := os.WriteFile(filepath.Join(root, "docs", "metrics.md"), []byte(catalog.Doc()+"\n"), 0o644); err != nil {
		return err
	}
	readme := filepath.Join(root, "README.md")
	b, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	out, err := catalog.ReplaceTable(string(b))
	if err != nil {
		return fmt.Errorf("%s: %w", readme, err)
	}
	return os.WriteFile(readme, []byte(out), 0o644)
}
