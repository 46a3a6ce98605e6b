//go:build tools

// Package components names the upstream commands this module builds, so `go mod tidy` keeps them.
package components

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
)
