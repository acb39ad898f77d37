package main

import (
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// login opens an IMAP session as user.
func login(addr, user, pass string) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return nil, fmt.Errorf("imap %s: %w", addr, err)
	}
	if err := c.Login(user, pass).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("imap login %s: %w", user, err)
	}
	return c, nil
}

// fill empties user's INBOX and appends msgs in order, pipelined on one
// connection (Dovecot takes LITERAL+), each with its arrival time as the
// internal date. It returns the bytes stored.
func fill(addr, user, pass string, msgs []msg) (int64, error) {
	c, err := login(addr, user, pass)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		return 0, err
	}
	if sel.NumMessages > 0 {
		all := imap.SeqSet{}
		all.AddRange(1, 0)
		if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return 0, fmt.Errorf("imap: clear %s: %w", user, err)
		}
		if err := c.Expunge().Close(); err != nil {
			return 0, fmt.Errorf("imap: clear %s: %w", user, err)
		}
	}
	var total int64
	pending := make(chan *imapclient.AppendCommand, 64)
	done := make(chan error, 1)
	go func() {
		var first error
		for cmd := range pending {
			if _, err := cmd.Wait(); err != nil && first == nil {
				first = err
			}
		}
		done <- first
	}()
	for _, m := range msgs {
		cmd := c.Append("INBOX", int64(len(m.raw)), &imap.AppendOptions{Time: m.at})
		if _, err := cmd.Write(m.raw); err != nil {
			close(pending)
			return total, err
		}
		if err := cmd.Close(); err != nil {
			close(pending)
			return total, err
		}
		pending <- cmd
		total += int64(len(m.raw))
	}
	close(pending)
	if err := <-done; err != nil {
		return total, fmt.Errorf("imap: append: %w", err)
	}
	return total, c.Logout().Wait()
}

// appendOne appends one message and returns when the server has stored it.
func appendOne(c *imapclient.Client, raw []byte, at time.Time) error {
	cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Time: at})
	if _, err := cmd.Write(raw); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}
