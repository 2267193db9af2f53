package telemetry

import (
	"testing"

	"github.com/starmates-ai-team/telemetry/internal/catalog"
)

// TestSelfMetricNamesAreTheCatalogues ties the exported self-metric names to
// the metric catalogue the instruments are built from.
func TestSelfMetricNamesAreTheCatalogues(t *testing.T) {
	for _, c := range []struct {
		name string
		def  catalog.Metric
	}{
		{SelfExportedName, catalog.SelfExported},
		{SelfExportFailedName, catalog.SelfExportFailed},
		{SelfDroppedName, catalog.SelfDropped},
	} {
		if c.name != c.def.Name {
			t.Errorf("name %q, the catalogue's %q", c.name, c.def.Name)
		}
		if l, ok := c.def.Label(string(SelfSignalKey)); !ok || len(l.Values) != 3 {
			t.Errorf("%s: the catalogue has no label %s with the three signals", c.name, SelfSignalKey)
		}
	}
}
