package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestSystemdUnitInStep: the README shows packaging/drpbot.service as it
// is, and the unit, the README's install steps and the example config agree
// on the user, the paths and the network.
func TestSystemdUnitInStep(t *testing.T) {
	unit, err := os.ReadFile("../../packaging/drpbot.service")
	if err != nil {
		t.Fatal(err)
	}
	readme, _ := os.ReadFile("../../README.md")
	example, _ := os.ReadFile("../../config.example.toml")
	var indented strings.Builder
	for _, l := range strings.SplitAfter(string(unit), "\n") {
		if strings.TrimSpace(l) != "" {
			indented.WriteString("    ")
		}
		indented.WriteString(l)
	}
	if !strings.Contains(string(readme), indented.String()) {
		t.Error("the README does not show packaging/drpbot.service as it is")
	}
	for _, want := range []string{
		"\nWants=network-online.target\n", "\nAfter=network-online.target\n",
		"\nUser=drpbot\n", "\nStateDirectory=drpbot\n",
		"\nExecStart=/usr/local/bin/drpbot run -c /etc/drpbot/config.toml\n",
		"\nEnvironmentFile=/etc/drpbot/secrets.env\n",
	} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("the unit lacks %q", strings.TrimSpace(want))
		}
	}
	// The README's steps make what the unit uses.
	for _, want := range []string{
		"useradd --system --home-dir /var/lib/drpbot --shell /usr/sbin/nologin drpbot",
		"install -d -m 0700 -o drpbot -g drpbot /var/lib/drpbot",
		"/usr/local/bin/drpbot", "/etc/drpbot/config.toml", "/etc/drpbot/secrets.env",
		"install -m 0644 packaging/drpbot.service /etc/systemd/system/drpbot.service",
	} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("the README's install steps lack %q", want)
		}
	}
	// secrets.env names what the example config's *_env settings name.
	for _, m := range regexp.MustCompile(`(?m)^\s*#?\s*\w+_env = "(\w+)"`).FindAllStringSubmatch(string(example), -1) {
		if !strings.Contains(string(readme), "    "+m[1]+"=") {
			t.Errorf("the README's secrets.env does not show %s", m[1])
		}
	}
	// The example's store is in the unit's StateDirectory.
	if !strings.Contains(string(example), `path = "/var/lib/drpbot/`) {
		t.Error("config.example.toml's store.path is not under /var/lib/drpbot")
	}
}
