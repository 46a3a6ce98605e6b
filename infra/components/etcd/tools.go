//go:build tools

// Package components names the upstream command this module builds, so `go mod tidy` keeps it.
package components

import _ "go.etcd.io/etcd/server/v3"
