package main

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/config"
)

// checkConnect is check-config --connect: log in to IMAP and SMTP as the
// daemon would (after fetching the OAuth2 token), reading and sending
// nothing, with a line per step on stdout.
func checkConnect(c *config.Config, stdout io.Writer) error {
	b, err := mailbot.New(c, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return b.CheckConnect(ctx, stdout)
}
