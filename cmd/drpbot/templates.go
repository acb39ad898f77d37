package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/templates"
)

const templatesSynopsis = `drpbot templates [-c FILE] list
drpbot templates [-c FILE] [--preset NAME] preview PURPOSE [--html]`

const templatesAbout = `list     the emails drpbot sends, one per purpose, with each one's subject
preview  one purpose rendered with sample data (the config's overrides and
         policy when -c is given, else the built-ins and Newham's policy)`

// loadTemplates returns the templates with the config's overrides and its
// policy (the preset flag wins), or the built-ins and Newham.
func loadTemplates(cfgPath, preset string) (*templates.Set, *policy.Policy, error) {
	var c *config.Config
	if cfgPath != "" {
		var err error
		if c, err = config.Load(cfgPath); err != nil {
			return nil, nil, err
		}
	}
	return templatesFor(c, preset)
}

// templatesFor is loadTemplates for a config already loaded (nil for none).
func templatesFor(c *config.Config, preset string) (*templates.Set, *policy.Policy, error) {
	dir := ""
	name := "newham"
	var pol *policy.Policy
	if c != nil {
		var err error
		if c.Templates.Dir != "" {
			dir = c.Path(c.Templates.Dir)
		}
		if pol, err = c.BuildPolicy(); err != nil {
			return nil, nil, err
		}
	}
	if preset != "" || pol == nil {
		if preset != "" {
			name = preset
		}
		p, err := policy.Preset(name)
		if err != nil {
			return nil, nil, err
		}
		pol = &p
	}
	set, err := templates.Load(dir)
	return set, pol, err
}

func runTemplates(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("templates", templatesSynopsis, templatesAbout, stdout, stderr)
	cfg := fs.String("c", "", "the config `file` (template overrides and policy)")
	preset := fs.String("preset", "", "policy preset for the sample data")
	html := fs.Bool("html", false, "preview: the HTML part instead of the text")
	rest, code, ok := fs.parse(args, 1, 2)
	if !ok {
		return code
	}
	switch {
	case rest[0] == "list" && len(rest) == 1:
	case rest[0] == "preview" && len(rest) == 2:
		if !slices.Contains(templates.Purposes(), rest[1]) {
			return fs.usageError("%q is not a purpose; drpbot templates list names them", rest[1])
		}
	case rest[0] == "preview" && len(rest) == 1:
		return fs.usageError("preview needs a PURPOSE; drpbot templates list names them")
	default:
		return fs.usageError("%q is not list or preview PURPOSE", strings.Join(rest, " "))
	}
	set, pol, err := loadTemplates(*cfg, *preset)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot templates: %v\n", err)
		return 1
	}
	switch rest[0] {
	case "list":
		for _, p := range templates.Purposes() {
			m, err := set.Render(templates.Sample(p, pol))
			if err != nil {
				fmt.Fprintf(stdout, "%-18s BROKEN: %v\n", p, err)
				continue
			}
			fmt.Fprintf(stdout, "%-18s %s.txt %s.html  %s\n", p, p, p, m.Subject)
		}
		return 0
	case "preview":
		m, err := set.Render(templates.Sample(rest[1], pol))
		if err != nil {
			fmt.Fprintf(stderr, "drpbot templates preview: %v\n", err)
			return 1
		}
		if *html {
			fmt.Fprint(stdout, m.HTML)
		} else {
			fmt.Fprintf(stdout, "Subject: %s\n\n%s", m.Subject, m.Text)
		}
		return 0
	}
	return 2 // unreachable: rest was checked above
}
