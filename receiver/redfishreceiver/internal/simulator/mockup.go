// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package simulator // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LoadMockup reads a DMTF mockup directory (each URL path a folder holding
// index.json, rooted at the folder that contains "redfish") into documents
// for New.
func LoadMockup(dir string) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() || de.Name() != "index.json" {
			return nil
		}
		rel, err := filepath.Rel(dir, filepath.Dir(p))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			return fmt.Errorf("mockup %s: %w", p, err)
		}
		out["/"+strings.TrimSuffix(filepath.ToSlash(rel), "/")] = doc
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, ok := out["/redfish/v1"]; !ok {
		return nil, fmt.Errorf("mockup %s: no redfish/v1/index.json", dir)
	}
	return out, nil
}
