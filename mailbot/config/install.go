package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// resolveFiles makes every *_file secret relative to the config file's
// folder, as store.path, directory.csv and templates.dir already are: under
// systemd the working directory is /, so a path relative to it would name a
// file nobody meant.
func (c *Config) resolveFiles() {
	for _, p := range []*string{&c.IMAP.PasswordFile, &c.SMTP.PasswordFile, &c.OAuth2.ClientSecretFile} {
		*p = c.Path(*p)
	}
}

// CheckStore checks that the store can be opened for writing: its folder
// exists and the running user may create files in it, and an existing store
// file is writable. check-config runs it (as the daemon's user) so that a
// missing /var/lib/drpbot is found before the first start, not by it.
func (c *Config) CheckStore() error {
	path := c.Path(c.Store.Path)
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("store.path: the folder %s does not exist (create it, owned by the user drpbot runs as)", dir)
	case err != nil:
		return fmt.Errorf("store.path: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("store.path: %s is not a folder", dir)
	}
	// bbolt creates the store file here on first start, and the daemon its
	// backup socket (<store>.backup.sock): try creating a file.
	f, err := os.CreateTemp(dir, ".drpbot-check-*")
	if err != nil {
		return fmt.Errorf("store.path: the folder %s is not writable by this user: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	if _, err := os.Stat(path); err == nil {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("store.path: %s is not writable by this user: %w", path, err)
		}
		f.Close()
	}
	return nil
}
