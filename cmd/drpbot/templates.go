package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/templates"
)

const templatesUsage = `usage: drpbot templates [-c config.toml] list
       drpbot templates [-c config.toml] [-preset NAME] preview PURPOSE [--html]
`

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
	fs := flag.NewFlagSet("templates", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("c", "", "config file (template overrides and policy)")
	preset := fs.String("preset", "", "policy preset for the sample data")
	fs.Usage = func() { fmt.Fprint(stderr, templatesUsage) }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return 2
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
		html := false
		var purpose string
		for _, a := range rest[1:] {
			switch a {
			case "--html", "-html":
				html = true
			default:
				purpose = a
			}
		}
		if purpose == "" {
			fs.Usage()
			return 2
		}
		m, err := set.Render(templates.Sample(purpose, pol))
		if err != nil {
			fmt.Fprintf(stderr, "drpbot templates preview: %v\n", err)
			return 1
		}
		if html {
			fmt.Fprint(stdout, m.HTML)
		} else {
			fmt.Fprintf(stdout, "Subject: %s\n\n%s", m.Subject, m.Text)
		}
		return 0
	}
	fs.Usage()
	return 2
}
