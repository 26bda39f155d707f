package canary

import (
	"errors"
	"fmt"
	"time"
)

// MaxWindow bounds Config.Window: a version keeps 2 × Window points, and a
// comparison copies them to the stack.
const MaxWindow = 64

// maxVersionsLimit bounds Config.MaxVersions (it sizes every identity).
const maxVersionsLimit = 3

// Config bounds the tracker and sets the gates of a comparison.
type Config struct {
	// Window is the number of canary points per comparison; the baseline's
	// points over the same time span are the other sample.
	Window int
	// VersionTTL: a version without points for this long (data time) is no
	// longer live; an identity without live versions is forgotten.
	VersionTTL time.Duration
	// MaxVersions is the number of live versions tracked per identity (the
	// baseline and up to MaxVersions−1 canaries), 2 or 3.
	MaxVersions int
	// MaxGroups bounds the identities compared at once (two or more live
	// versions); a further one is not compared.
	MaxGroups int
	// MaxP is the largest two-sided Mann–Whitney p-value that counts.
	MaxP float64
	// MinEffect is the smallest |Cliff's delta| (0..1) that counts.
	MinEffect float64
	// MinRelChange is the smallest |relative change of the median| that
	// counts.
	MinRelChange float64
}

// DefaultConfig returns the defaults: the gates of the post-change test
// (p ≤ 0.001, |Cliff's delta| ≥ 0.5, median change ≥ 10 %) on windows of 20
// points.
func DefaultConfig() Config {
	return Config{
		Window:       20,
		VersionTTL:   10 * time.Minute,
		MaxVersions:  3,
		MaxGroups:    1000,
		MaxP:         0.001,
		MinEffect:    0.5,
		MinRelChange: 0.1,
	}
}

// Validate reports every invalid field at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Window < 8 || c.Window > MaxWindow {
		bad("window = %d: must be in [8, %d] (points per comparison)", c.Window, MaxWindow)
	}
	if c.VersionTTL <= 0 {
		bad("version_ttl = %v: must be positive, e.g. 10m (a few scrape intervals)", c.VersionTTL)
	}
	if c.MaxVersions < 2 || c.MaxVersions > maxVersionsLimit {
		bad("max_versions = %d: must be 2 or 3 (the baseline and one or two canaries)", c.MaxVersions)
	}
	if c.MaxGroups < 1 {
		bad("max_groups = %d: must be at least 1", c.MaxGroups)
	}
	if !(c.MaxP > 0 && c.MaxP < 1) {
		bad("max_p = %v: must be in (0, 1), e.g. 0.001", c.MaxP)
	}
	if c.MinEffect < 0 || c.MinEffect > 1 {
		bad("min_effect = %v: must be in [0, 1] (|Cliff's delta|)", c.MinEffect)
	}
	if c.MinRelChange < 0 {
		bad("min_relative_change = %v: must not be negative, e.g. 0.1 for 10 %%", c.MinRelChange)
	}
	return errors.Join(errs...)
}
