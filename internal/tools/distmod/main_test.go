package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/modfile"
)

func TestMerge(t *testing.T) {
	root, err := modfile.Parse("go.mod", []byte(`module example.com/aiops

go 1.26

require example.com/lib v1.0.0
`), nil)
	require.NoError(t, err)
	dist, err := modfile.Parse("dist/go.mod", []byte(`module example.com/aiops-distribution

go 1.25

require (
	example.com/aiops v0.0.0
	example.com/component v0.5.0
	example.com/lib v1.2.0
	example.com/transitive v1.3.0 // indirect
)

replace example.com/aiops v0.0.0 => ../..
replace example.com/refused => example.com/refused v0.9.0
`), nil)
	require.NoError(t, err)

	require.NoError(t, merge(root, dist))

	got := map[string]string{}
	for _, r := range root.Require {
		got[r.Mod.Path] = r.Mod.Version
	}
	assert.Equal(t, map[string]string{
		"example.com/component": "v0.5.0",
		"example.com/lib":       "v1.2.0", // the manifest's version wins; -check verifies MVS keeps it
	}, got, "direct requirements merged, our own module and indirect ones left out")
	require.Len(t, root.Replace, 1, "the local replace of our own module is dropped")
	assert.Equal(t, "example.com/refused", root.Replace[0].Old.Path)
	assert.Equal(t, "v0.9.0", root.Replace[0].New.Version)
}

func TestIsSelf(t *testing.T) {
	assert.True(t, isSelf("example.com/aiops", "example.com/aiops"))
	assert.True(t, isSelf("example.com/aiops/receiver/x", "example.com/aiops"))
	assert.False(t, isSelf("example.com/aiops-distribution", "example.com/aiops"))
}
