// Package buildinfo says which drpbot this is: the version stamped by the
// release build, else the one the Go toolchain recorded, and the commit and
// Go version from the binary's own build information
// (runtime/debug.ReadBuildInfo), so `drpbot --version` and the daemon's
// metrics answer "what is running?" without a separate manifest.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version is stamped by the release build
// (-ldflags "-X github.com/drpbot/drpbot/mailbot/buildinfo.Version=v1.2.0");
// empty means "not stamped": the module version the toolchain recorded is
// used instead, or "devel".
var Version string

// Commit is stamped by the release build too (…/buildinfo.Commit=<hash>,
// with "+modified" appended for a tree with uncommitted changes), for the
// builds whose commit the toolchain cannot read itself (it does not look
// into a git worktree); the toolchain's vcs.revision wins when present.
var Commit string

// Info is what a binary knows about its own build. An empty field means the
// build did not record it (e.g. `go test` binaries carry no commit).
type Info struct {
	Version   string // v1.2.0, a Go pseudo-version, or "devel"
	Commit    string // the full VCS revision
	Time      string // the commit's time, RFC 3339
	Modified  bool   // built from a tree with uncommitted changes
	GoVersion string // e.g. go1.26.8
	Platform  string // GOOS/GOARCH
	CGO       string // CGO_ENABLED as built: "0" for a static binary
}

// Read returns this binary's Info.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return From(Version, Commit, bi)
}

// From builds Info from a stamped version and commit (either may be empty)
// and the build information (may be nil); Read is
// From(Version, Commit, debug.ReadBuildInfo()).
func From(stamped, commit string, bi *debug.BuildInfo) Info {
	in := Info{
		Version:   stamped,
		Commit:    strings.TrimSuffix(commit, "+modified"),
		Modified:  strings.HasSuffix(commit, "+modified"),
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
	if bi == nil {
		if in.Version == "" {
			in.Version = "devel"
		}
		return in
	}
	if bi.GoVersion != "" {
		in.GoVersion = bi.GoVersion
	}
	if in.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		in.Version = bi.Main.Version
	}
	if in.Version == "" {
		in.Version = "devel"
	}
	var goos, goarch string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Commit, in.Modified = s.Value, false
		case "vcs.time":
			in.Time = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		case "CGO_ENABLED":
			in.CGO = s.Value
		}
	}
	if goos != "" && goarch != "" {
		in.Platform = goos + "/" + goarch
	}
	return in
}

// String is the one line `drpbot --version` prints, e.g.
// "drpbot v1.2.0 (commit 4321485e1a2b, 2026-11-26T10:40:00Z; go1.26.8 linux/amd64, CGO_ENABLED=0)".
func (in Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "drpbot %s (", in.Version)
	if in.Commit != "" {
		c := in.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		fmt.Fprintf(&b, "commit %s", c)
		if in.Time != "" {
			fmt.Fprintf(&b, ", %s", in.Time)
		}
		if in.Modified {
			b.WriteString(", modified")
		}
	} else {
		b.WriteString("commit unknown")
	}
	fmt.Fprintf(&b, "; %s %s", in.GoVersion, in.Platform)
	if in.CGO != "" {
		fmt.Fprintf(&b, ", CGO_ENABLED=%s", in.CGO)
	}
	b.WriteString(")")
	return b.String()
}
