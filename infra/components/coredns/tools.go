//go:build tools

// Package components names the upstream command this module builds, so `go mod tidy` keeps it.
package components

import _ "github.com/coredns/coredns"
