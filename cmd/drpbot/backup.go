package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/store"
)

// runBackup writes a consistent copy of the store to FILE, through the
// running daemon when it holds the file.
func runBackup(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("c", "config.toml", "config file (for store.path)")
	db := fs.String("store", "", "the store file; overrides the config's store.path")
	fs.Usage = func() { fmt.Fprintln(stderr, "usage: drpbot backup [-c config.toml | -store FILE.db] BACKUP.db") }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	path := *db
	if path == "" {
		c, err := config.Load(*cfg)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		path = c.Path(c.Store.Path)
	}
	n, err := store.BackupPath(path, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "drpbot backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %d bytes, a consistent copy of %s\n", fs.Arg(0), n, path)
	return 0
}
