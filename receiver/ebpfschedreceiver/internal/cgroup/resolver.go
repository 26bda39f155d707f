// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package cgroup // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/cgroup"

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
)

// ErrNoCgroup2 means no cgroup v2 hierarchy is mounted.
var ErrNoCgroup2 = errors.New("no cgroup2 mount found in /proc/self/mountinfo; per-cgroup breakdown needs cgroup v2 (unified or hybrid), or set cgroup_root")

// FindRoot returns the mount point of the first cgroup2 filesystem listed in
// a /proc/<pid>/mountinfo stream.
func FindRoot(mountinfo io.Reader) (string, error) {
	sc := bufio.NewScanner(mountinfo)
	for sc.Scan() {
		// id parent maj:min root mountpoint options [optional...] - fstype source superoptions
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		fields, fstype := strings.Fields(pre), strings.Fields(post)
		if len(fields) >= 5 && len(fstype) > 0 && fstype[0] == "cgroup2" {
			return unescapeMount(fields[4]), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", ErrNoCgroup2
}

// unescapeMount undoes the octal escapes (\040 for space...) of mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c byte
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &c); err == nil {
				b.WriteByte(c)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// State says what a Resolver knows about a cgroup ID.
type State int

const (
	// Unknown: never seen under the root (created and removed between two
	// refreshes, or outside this mount namespace's view).
	Unknown State = iota
	// Live: present at the last refresh.
	Live
	// Gone: present before, missing at the last refresh; the path is the last known one.
	Gone
)

// Resolver maps cgroup IDs (the inode numbers of cgroup v2 directories) to
// paths relative to the hierarchy root.
type Resolver struct {
	root  string
	inode func(fs.DirEntry) (uint64, bool) // for tests
	live  map[uint64]string
	gone  map[uint64]string
}

// NewResolver resolves IDs under root (e.g. /sys/fs/cgroup).
func NewResolver(root string) *Resolver {
	return &Resolver{root: root, inode: inodeOf, live: map[uint64]string{}, gone: map[uint64]string{}}
}

// Refresh rescans the hierarchy. IDs that vanished since the previous scan
// become Gone until Drop is called for them.
func (r *Resolver) Refresh() error {
	live := make(map[uint64]string, len(r.live))
	err := filepath.WalkDir(r.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			// A cgroup removed while walking is normal churn.
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if ino, ok := r.inode(d); ok {
			rel, _ := filepath.Rel(r.root, path)
			live[ino] = "/" + strings.TrimPrefix(filepath.ToSlash(rel), ".")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scanning cgroups under %s: %w", r.root, err)
	}
	for id, p := range r.live {
		if _, ok := live[id]; !ok {
			r.gone[id] = p
		}
	}
	r.live = live
	return nil
}

// Lookup returns the path of id and what is known about it.
func (r *Resolver) Lookup(id uint64) (string, State) {
	if p, ok := r.live[id]; ok {
		return p, Live
	}
	if p, ok := r.gone[id]; ok {
		return p, Gone
	}
	return "", Unknown
}

// Drop forgets Gone IDs once their series have been retired.
func (r *Resolver) Drop(ids []uint64) {
	for _, id := range ids {
		delete(r.gone, id)
	}
}
