package main

import (
	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/parser"
)

// parserOptions are the parser's settings from the config at path, or the
// defaults when path is empty.
func parserOptions(path string) (parser.Options, error) {
	if path == "" {
		return parser.DefaultOptions(), nil
	}
	c, err := config.Load(path)
	if err != nil {
		return parser.Options{}, err
	}
	return c.ParserOptions(), nil
}

// calendarFor is the working-day calendar from the config at path, or
// England and Wales when path is empty.
func calendarFor(path string) (*workdays.Calendar, error) {
	if path == "" {
		return workdays.New(workdays.EnglandWales, nil)
	}
	c, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	return c.BuildCalendar()
}
