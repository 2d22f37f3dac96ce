//go:build tools

// The Kubernetes binaries the local cluster runs, built from the Go module
// proxy. build.sh writes the go.mod beside this file (in the cache) with the
// replace lines derived from k8s.io/kubernetes' own go.mod.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
