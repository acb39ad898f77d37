package main

import (
	"fmt"
	"io"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/store"
)

// runBackup writes a consistent copy of the store to FILE, through the
// running daemon when it holds the file.
func runBackup(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("backup", "drpbot backup [-c FILE | --store FILE.db] BACKUP.db",
		"Writes a consistent copy of the store (mode 0600), through the running daemon when it holds the file.", stdout, stderr)
	cfg := fs.String("c", "", "the config `file` (for store.path; default $DRPBOT_CONFIG, else "+defaultConfig+")")
	db := fs.String("store", "", "the store file; overrides the config's store.path")
	pos, code, ok := fs.parse(args, 1, 1)
	if !ok {
		return code
	}
	path := *db
	if path == "" {
		cfgPath, err := findConfig(*cfg)
		if err != nil {
			return fs.fail(err)
		}
		c, err := config.Load(cfgPath)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		path = c.Path(c.Store.Path)
	}
	n, err := store.BackupPath(path, pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "drpbot backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %d bytes, a consistent copy of %s\n", pos[0], n, path)
	return 0
}
