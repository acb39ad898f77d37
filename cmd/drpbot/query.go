package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/store"
)

// answer answers q about the store the config at cfgPath names: asked of
// the running daemon over its query socket when one runs (a query, not a
// copy of the file), else read from the file itself. Both give the same
// answer through mailbot.Answer.
func answer(cfgPath string, q mailbot.Query, stdout io.Writer) error {
	c, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	path := c.Path(c.Store.Path)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = mailbot.AskDaemon(ctx, mailbot.QuerySocketPath(path), q, stdout)
	if !errors.Is(err, mailbot.ErrNoDaemon) {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("store: %w", err) // never create an empty store to read
	}
	st, err := store.Open(path)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w, and no daemon answers on %s (a sync or tick still running? try again)", err, mailbot.QuerySocketPath(path))
	}
	if err != nil {
		return err
	}
	defer st.Close()
	v := mailbot.View{Now: time.Now()}
	if v.Policy, err = c.BuildPolicy(); err != nil {
		return err
	}
	if v.Calendar, err = c.BuildCalendar(); err != nil {
		return err
	}
	if v.Directory, err = c.BuildDirectory(); err != nil {
		return err
	}
	return st.View(func(tx *store.Tx) error { return mailbot.Answer(stdout, tx, q, v) })
}
