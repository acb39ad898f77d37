package mailbot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// ErrConnect wraps each failure of CheckConnect.
var ErrConnect = errors.New("mailbot: connection check failed")

// CheckConnect is `drpbot check-config --connect`: it does what the daemon
// does before its first sync, and nothing more, so an admin can test the
// credentials first. It fetches the OAuth2 token when one is configured,
// logs in to IMAP and EXAMINEs each folder (read-only: no message is
// fetched and no flag changes, RFC 3501 6.3.2), then opens an SMTP session
// and authenticates and quits without a MAIL command. It writes a line per
// step to w (counts only, never a message) and returns every failure.
func (b *Bot) CheckConnect(ctx context.Context, w io.Writer) error {
	var errs []error
	// err's text starts with its step ("imap: login as ...").
	fail := func(step string, err error) {
		fmt.Fprintf(w, "%-6s FAILED: %s\n", step, strings.TrimPrefix(err.Error(), step+": "))
		errs = append(errs, fmt.Errorf("%w: %w", ErrConnect, err))
	}
	tokenOK := true
	if b.oauth != nil {
		if _, err := b.oauth.Token(ctx); err != nil {
			tokenOK = false
			fail("oauth2", err)
		} else {
			fmt.Fprintf(w, "oauth2 ok: token fetched from %s for client %s\n", b.oauth.tokenURL(), b.cfg.OAuth2.ClientID)
		}
	}

	s := b.cfg.IMAP
	switch {
	case s.Auth == "oauth2" && !tokenOK:
		fmt.Fprintln(w, "imap   skipped: no OAuth2 token")
	default:
		c, err := b.dialIMAP(ctx, nil)
		if err != nil {
			fail("imap", err)
			break
		}
		fmt.Fprintf(w, "imap   ok: logged in to %s as %s (%s, %s)\n", s.Address(), s.Username, s.Security, s.Auth)
		for _, folder := range s.Folders {
			sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
			if err != nil {
				fail("imap", fmt.Errorf("imap: examine %s: %w", folder, err))
				continue
			}
			fmt.Fprintf(w, "imap   ok: folder %s holds %d messages (EXAMINE: nothing read)\n", folder, sel.NumMessages)
		}
		_ = c.Logout().Wait()
		c.Close()
	}

	m := b.cfg.SMTP
	switch {
	case m.Auth == "oauth2" && !tokenOK:
		fmt.Fprintln(w, "smtp   skipped: no OAuth2 token")
	default:
		sc, err := b.dialSMTP(ctx) // the sender's own dial (sender.go)
		if err != nil {
			fail("smtp", fmt.Errorf("smtp: log in to %s as %s: %w", m.Address(), m.Username, err))
			break
		}
		_ = sc.Quit() // no MAIL was given, nothing is sent
		sc.Close()
		how := "logged in as " + m.Username
		if m.Auth == "none" {
			how = "connected (no login: a relay)"
		}
		fmt.Fprintf(w, "smtp   ok: %s to %s (%s, %s)\n", how, m.Address(), m.Security, m.Auth)
	}
	return errors.Join(errs...)
}
