package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFrom(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs.revision", Value: "4321485e1a2b3c4d5e6f708192a3b4c5d6e7f809"},
		{Key: "vcs.time", Value: "2026-11-26T10:40:00Z"},
		{Key: "vcs.modified", Value: "true"},
		{Key: "GOOS", Value: "linux"},
		{Key: "GOARCH", Value: "arm64"},
		{Key: "CGO_ENABLED", Value: "0"},
	}
	tests := []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"stamped wins", "v1.2.0", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-2026-x"}, Settings: vcs},
			"drpbot v1.2.0 (commit 4321485e1a2b, 2026-11-26T10:40:00Z, modified; go1.26.8 linux/arm64, CGO_ENABLED=0)"},
		{"module version", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.3.0"}, Settings: vcs[:2]},
			"drpbot v1.3.0 (commit 4321485e1a2b, 2026-11-26T10:40:00Z; go1.26.8 " + From("", "", nil).Platform + ")"},
		{"devel without vcs", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"drpbot devel (commit unknown; go1.26.8 " + From("", "", nil).Platform + ")"},
	}
	for _, tt := range tests {
		if got := From(tt.stamped, "", tt.bi).String(); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	if in := From("", "", nil); in.Version != "devel" || in.GoVersion == "" {
		t.Errorf("no build info: %+v", in)
	}
	// A stamped commit stands in when the toolchain recorded none.
	if got := From("v1.2.0", "abcdef0123456789", &debug.BuildInfo{GoVersion: "go1.26.8"}).Commit; got != "abcdef0123456789" {
		t.Errorf("stamped commit: %q", got)
	}
	if in := From("v1.2.0", "abcdef0123456789+modified", &debug.BuildInfo{GoVersion: "go1.26.8"}); in.Commit != "abcdef0123456789" || !in.Modified {
		t.Errorf("stamped modified commit: %+v", in)
	}
	if got := From("v1.2.0", "abcdef0123456789", &debug.BuildInfo{Settings: vcs}).Commit; got != vcs[0].Value {
		t.Errorf("vcs.revision should win: %q", got)
	}
}
