// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package cgroup

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

const (
	cid = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	uid = "2d4e2f6a-9b1c-4c4f-8f3e-1a2b3c4d5e6f"
)

func TestParse(t *testing.T) {
	uidUnderscore := strings.ReplaceAll(uid, "-", "_")
	for _, tc := range []struct {
		path string
		want Identity
	}{
		{"/", Identity{}},
		{"/system.slice/sshd.service", Identity{}},
		{"/user.slice/user-1000.slice/session-3.scope", Identity{}},
		{"/system.slice/docker-" + cid + ".scope", Identity{ContainerID: cid}},
		{"/docker/" + cid, Identity{ContainerID: cid}},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidUnderscore + ".slice/cri-containerd-" + cid + ".scope",
			Identity{ContainerID: cid, PodUID: uid}},
		{"/kubepods.slice/kubepods-pod" + uidUnderscore + ".slice/crio-" + cid + ".scope", Identity{ContainerID: cid, PodUID: uid}},
		{"/kubepods/besteffort/pod" + uid + "/" + cid, Identity{ContainerID: cid, PodUID: uid}},
		{"/kubepods/burstable/pod" + uid, Identity{PodUID: uid}},
		{"/machine.slice/libpod-" + cid + ".scope/container", Identity{ContainerID: cid}},
		// Not IDs: too short, upper case, embedded in a longer token.
		{"/docker/" + cid[:63], Identity{}},
		{"/docker/" + strings.ToUpper(cid), Identity{}},
		{"/x" + cid, Identity{}},
		{"/kubepods/burstable/podnot-a-uid", Identity{}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			assert.Equal(t, tc.want, Parse(tc.path))
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("/kubepods/besteffort/pod" + uid + "/" + cid)
	f.Add("/system.slice/docker-" + cid + ".scope")
	f.Fuzz(func(t *testing.T, path string) {
		id := Parse(path)
		if id.ContainerID != "" {
			assert.Len(t, id.ContainerID, 64)
			assert.Contains(t, path, id.ContainerID)
		}
		if id.PodUID != "" {
			assert.Len(t, id.PodUID, 36)
		}
	})
}
