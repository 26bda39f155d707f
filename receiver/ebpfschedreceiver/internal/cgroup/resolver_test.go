// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package cgroup

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFindRoot(t *testing.T) {
	for _, tc := range []struct {
		name, mountinfo, want string
		wantErr               error
	}{
		{
			name: "unified",
			mountinfo: "24 30 0:21 / /proc rw,nosuid - proc proc rw\n" +
				"35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n",
			want: "/sys/fs/cgroup",
		},
		{
			name: "hybrid",
			mountinfo: "40 35 0:33 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n" +
				"41 35 0:34 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
			want: "/sys/fs/cgroup/unified",
		},
		{
			name:      "escaped mount point",
			mountinfo: `41 35 0:34 / /host/cgroup\040v2 rw - cgroup2 none rw` + "\n",
			want:      "/host/cgroup v2",
		},
		{
			name:      "v1 only",
			mountinfo: "40 35 0:33 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n",
			wantErr:   ErrNoCgroup2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FindRoot(strings.NewReader(tc.mountinfo))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestResolverLifecycle(t *testing.T) {
	root := t.TempDir()
	mkdir := func(p string) { require.NoError(t, os.MkdirAll(filepath.Join(root, p), 0o755)) }
	mkdir("system.slice/sshd.service")
	mkdir("kubepods/pod1")
	r := NewResolver(root)
	require.NoError(t, r.Refresh())

	id := inodeFor(t, r, filepath.Join(root, "kubepods/pod1"))
	path, state := r.Lookup(id)
	assert.Equal(t, "/kubepods/pod1", path)
	assert.Equal(t, Live, state)
	rootPath, _ := r.Lookup(inodeFor(t, r, root))
	assert.Equal(t, "/", rootPath)

	require.NoError(t, os.Remove(filepath.Join(root, "kubepods/pod1")))
	require.NoError(t, r.Refresh())
	path, state = r.Lookup(id)
	assert.Equal(t, "/kubepods/pod1", path, "a gone cgroup keeps its last path")
	assert.Equal(t, Gone, state)

	r.Drop([]uint64{id})
	_, state = r.Lookup(id)
	assert.Equal(t, Unknown, state)
}

func inodeFor(t *testing.T, r *Resolver, path string) uint64 {
	t.Helper()
	info, err := os.Lstat(path)
	require.NoError(t, err)
	id, ok := r.inode(fs.FileInfoToDirEntry(info))
	require.True(t, ok)
	return id
}

func TestResolverMissingRoot(t *testing.T) {
	r := NewResolver(filepath.Join(t.TempDir(), "absent"))
	require.NoError(t, r.Refresh(), "a missing root is an empty hierarchy, not an error")
}
