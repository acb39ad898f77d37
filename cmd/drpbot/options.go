package main

import (
	"github.com/drpbot/drpbot/parser"
)

func parserOptions(path string) (parser.Options, error) {
	return parser.DefaultOptions(), nil
}
