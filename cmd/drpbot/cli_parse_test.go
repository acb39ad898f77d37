package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestInterspersed: flags anywhere on the line, "--" ends them.
func TestInterspersed(t *testing.T) {
	tests := []struct {
		args     []string
		pos      []string
		cfg      string
		json     bool
		stage    int
		wantFail bool
	}{
		{args: []string{"-c", "cfg", "REF", "--json"}, pos: []string{"REF"}, cfg: "cfg", json: true},
		{args: []string{"REF", "-c", "cfg", "--json"}, pos: []string{"REF"}, cfg: "cfg", json: true},
		{args: []string{"--json", "REF", "-c=cfg"}, pos: []string{"REF"}, cfg: "cfg", json: true},
		{args: []string{"add", "-c", "cfg", "2026-12-21", "5"}, pos: []string{"add", "2026-12-21", "5"}, cfg: "cfg"},
		{args: []string{"a", "--stage", "3", "b", "--", "-c", "x"}, pos: []string{"a", "b", "-c", "x"}, stage: 3},
		{args: []string{"-", "--json"}, pos: []string{"-"}, json: true},
		{args: nil, pos: nil},
		{args: []string{"REF", "--nope"}, wantFail: true},
		{args: []string{"REF", "--stage", "two"}, wantFail: true},
		{args: []string{"REF", "-c"}, wantFail: true},
	}
	for _, tt := range tests {
		f := newFlags("t", "drpbot t", "", nil, nil)
		cfg := f.String("c", "", "")
		asJSON := f.Bool("json", false, "")
		stage := f.Int("stage", 0, "")
		pos, err := interspersed(f.FlagSet, tt.args)
		if tt.wantFail {
			if err == nil {
				t.Errorf("%q: no error", tt.args)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(pos, tt.pos) || *cfg != tt.cfg || *asJSON != tt.json || *stage != tt.stage {
			t.Errorf("%q: pos %q cfg %q json %v stage %d err %v; want %q %q %v %d",
				tt.args, pos, *cfg, *asJSON, *stage, err, tt.pos, tt.cfg, tt.json, tt.stage)
		}
	}
}

// TestCommandLines drives whole command lines: exit codes, help on
// standard output, usage errors on standard error.
func TestCommandLines(t *testing.T) {
	t.Chdir(t.TempDir()) // no config.toml here
	t.Setenv("DRPBOT_CONFIG", "")
	example := filepath.Join(testDir, "../../config.example.toml")
	tests := []struct {
		args    []string
		code    int
		out     string // a substring of stdout ("" checks nothing)
		errs    string // a substring of stderr
		noError bool   // stderr must be empty
	}{
		// help, on stdout, exit 0
		{args: []string{"help"}, code: 0, out: "commands:", noError: true},
		{args: []string{"--help"}, code: 0, out: "commands:", noError: true},
		{args: []string{"help", "show"}, code: 0, out: "usage: drpbot show [-c FILE] [--json] REF", noError: true},
		{args: []string{"show", "-h"}, code: 0, out: "-json", noError: true},
		{args: []string{"show", "REF", "--help"}, code: 0, out: "usage: drpbot show", noError: true},
		{args: []string{"calendar", "-h"}, code: 0, out: "drpbot calendar [-c FILE] holidays YEAR", noError: true},
		{args: []string{"help", "check-config"}, code: 0, out: "-no-secrets", noError: true},
		{args: []string{"help", "calendar", "add"}, code: 0, out: "drpbot calendar [-c FILE] add DATE N", noError: true},
		{args: []string{"help", "nonsense"}, code: 2, errs: `no command "nonsense"`},
		{args: nil, code: 2, errs: "commands:"},
		// version
		{args: []string{"--version"}, code: 0, out: "drpbot ", noError: true},
		{args: []string{"version"}, code: 0, out: " go1.", noError: true},
		{args: []string{"version", "extra"}, code: 2, errs: `unexpected argument "extra"`},
		// flags anywhere
		{args: []string{"calendar", "add", "-c", example, "2026-12-21", "5"}, code: 0, out: "2027-01-04\n"},
		{args: []string{"calendar", "add", "2026-12-21", "5", "-c", example}, code: 0, out: "2027-01-04\n"},
		{args: []string{"calendar", "holidays", "2026", "--nope"}, code: 2, errs: "flag provided but not defined: -nope"},
		// a missing config says where it looked and how to pass one
		{args: []string{"list"}, code: 2, errs: "looked for " + filepath.Join(cwd(t), "config.toml") + " (no -c given); pass one with -c"},
		{args: []string{"show", "DRP-2026-0001"}, code: 2, errs: "pass one with -c"},
		{args: []string{"run", "-c", "/nonexistent/drpbot.toml"}, code: 1, errs: "no config file at /nonexistent/drpbot.toml"},
		{args: []string{"check-config", "/nonexistent/drpbot.toml"}, code: 1, errs: "no config file at /nonexistent/drpbot.toml"},
		{args: []string{"check-config", "-c", "a.toml", "b.toml"}, code: 2, errs: "two config files"},
		// wrong choices and usage errors exit 2
		{args: []string{"show"}, code: 2, errs: "missing arguments"},
		{args: []string{"show", "-c", example, "A", "B"}, code: 2, errs: `unexpected argument "B"`},
		{args: []string{"list", "-c", example, "extra"}, code: 2, errs: `unexpected argument "extra"`},
		{args: []string{"report", "-c", example, "--format", "pdf"}, code: 2, errs: `--format "pdf" is not one of md, csv, html`},
		{args: []string{"report", "-c", example, "--quarter", "2026Q7"}, code: 2, errs: "not a quarter"},
		{args: []string{"tick", "-c", example, "--now", "tomorrow"}, code: 2, errs: "not an RFC 3339 time"},
		{args: []string{"calendar", "subtract", "2026-12-21", "5"}, code: 2, errs: `"subtract" is not add or holidays`},
		{args: []string{"calendar", "add", "2026-12-21"}, code: 2, errs: "add needs a DATE"},
		{args: []string{"templates", "preview"}, code: 2, errs: "preview needs a PURPOSE"},
		{args: []string{"templates", "show", "reminder"}, code: 2, errs: `"show reminder" is not list or preview PURPOSE`},
		{args: []string{"templates", "preview", "nonsense"}, code: 2, errs: `"nonsense" is not a purpose`},
		{args: []string{"templates", "list", "--html"}, code: 0, out: "reminder"},
		{args: []string{"templates", "preview", "--html", "reminder"}, code: 0, out: "<!DOCTYPE html>"},
		{args: []string{"backup"}, code: 2, errs: "missing arguments"},
		{args: []string{"parse"}, code: 2, errs: "missing arguments"},
		{args: []string{"demo", "now"}, code: 2, errs: `unexpected argument "now"`},
		{args: []string{"frobnicate"}, code: 2, errs: `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		code, out, errs := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.errs) || tt.noError && errs != "" {
			t.Errorf("drpbot %s: exit %d\nstdout %.300q\nstderr %.300q\nwant exit %d, stdout with %q, stderr with %q",
				strings.Join(tt.args, " "), code, out, errs, tt.code, tt.out, tt.errs)
		}
	}
}

// TestConfigFromEnvironment: without -c, $DRPBOT_CONFIG names the file.
func TestConfigFromEnvironment(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("DRPBOT_CONFIG", "/nonexistent/from-env.toml")
	code, _, errs := runCLI(t, "list")
	if code != 1 || !strings.Contains(errs, "no config file at /nonexistent/from-env.toml (from $DRPBOT_CONFIG)") {
		t.Errorf("exit %d %q", code, errs)
	}
}

// TestNormalizeRef: refs are typed or pasted in any case, with brackets.
func TestNormalizeRef(t *testing.T) {
	for in, want := range map[string]string{
		"drp-2026-0042":     "DRP-2026-0042",
		" [DRP-2026-0042] ": "DRP-2026-0042",
		"Drp-2026-0042":     "DRP-2026-0042",
	} {
		if got := normalizeRef(in); got != want {
			t.Errorf("normalizeRef(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestUsageListsEveryCommand: the top-level help and the README's command
// table name every command the dispatcher knows.
func TestUsageListsEveryCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	table := regexp.MustCompile("(?m)^\\| `drpbot ([a-z-]+)").FindAllStringSubmatch(string(readme), -1)
	inReadme := map[string]bool{}
	for _, m := range table {
		inReadme[m[1]] = true
	}
	for name := range commands {
		if !regexp.MustCompile(`(?m)^  ` + name + `\b`).MatchString(usage) {
			t.Errorf("drpbot help does not list %s", name)
		}
		if !inReadme[name] {
			t.Errorf("the README's command table does not list drpbot %s", name)
		}
		var out, errb bytes.Buffer
		if code := run([]string{"help", name}, nil, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "usage: drpbot "+name) {
			t.Errorf("drpbot help %s: exit %d %q %q", name, code, out.String(), errb.String())
		}
	}
}

func cwd(t *testing.T) string {
	t.Helper()
	d, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// testDir is the package's folder, before any test changes directory.
var testDir, _ = os.Getwd()
