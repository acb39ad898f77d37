package mailbot

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"mime"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
)

// Sentinel errors of the IMAP connection, each a kind of failure that
// /healthz and /metrics name (see imapKind).
var (
	// ErrLoginRefused: the server said NO to the login (a wrong or expired
	// password, a revoked app): retried only after a long wait, so that a
	// Microsoft 365 account is never locked out by drpbot's retries.
	ErrLoginRefused = errors.New("mailbot: imap login refused")
	// ErrIMAPUnreachable: no connection could be made (DNS, refused,
	// routed nowhere, connect timed out).
	ErrIMAPUnreachable = errors.New("mailbot: imap server unreachable")
	// ErrIMAPTLS: the TLS handshake failed (an untrusted or expired
	// certificate, a wrong host name, no common protocol): it will not
	// mend itself, so it is an ERROR and a red /healthz, not a WARN.
	ErrIMAPTLS = errors.New("mailbot: imap tls failed")
	// ErrIMAPTimeout: the server left a command unanswered for
	// imap.timeout (a hung server, a stuck IDLE); the connection was
	// dropped.
	ErrIMAPTimeout = errors.New("mailbot: imap server did not answer in time")
)

// Kinds of IMAP failure, as /metrics labels them.
const (
	kindLoginRefused = "login_refused"
	kindUnreachable  = "unreachable"
	kindTLS          = "tls"
	kindTimeout      = "timeout"
	kindLost         = "connection_lost"
)

var imapKinds = []string{kindLoginRefused, kindUnreachable, kindTLS, kindTimeout, kindLost}

// imapKind names what kind of failure err is.
func imapKind(err error) string {
	switch {
	case errors.Is(err, ErrLoginRefused):
		return kindLoginRefused
	case errors.Is(err, ErrIMAPTLS) || isTLSError(err):
		return kindTLS
	case errors.Is(err, ErrIMAPTimeout):
		return kindTimeout
	case errors.Is(err, ErrIMAPUnreachable):
		return kindUnreachable
	}
	return kindLost
}

// isTLSError reports a failed handshake or an unverifiable certificate.
func isTLSError(err error) bool {
	var (
		cv  *tls.CertificateVerificationError
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		al  tls.AlertError
		rh  tls.RecordHeaderError
		ech *tls.ECHRejectionError
	)
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) ||
		errors.As(err, &al) || errors.As(err, &rh) || errors.As(err, &ech)
}

// watchedConn is the IMAP connection's socket with a watchdog: a command
// written and left unanswered for timeout closes the socket, which fails
// every pending command at once (go-imap's own read deadline only covers
// a response the server has begun). Silence after an answer (an IDLE
// waiting for mail) is no failure; the watcher ends each IDLE every poll
// interval, and the DONE it writes is watched like any command.
type watchedConn struct {
	net.Conn
	timeout             time.Duration
	lastRead, lastWrite atomic.Int64 // unix ns
	stuck               atomic.Bool
	done                chan struct{}
	once                sync.Once
}

func newWatchedConn(c net.Conn, timeout time.Duration) *watchedConn {
	w := &watchedConn{Conn: c, timeout: timeout, done: make(chan struct{})}
	// The server speaks first (its greeting): wait for it as for an answer.
	now := time.Now().UnixNano()
	w.lastRead.Store(now - 1)
	w.lastWrite.Store(now)
	go w.watch()
	return w
}

func (w *watchedConn) Read(p []byte) (int, error) {
	n, err := w.Conn.Read(p)
	if n > 0 {
		w.lastRead.Store(time.Now().UnixNano())
	}
	if err != nil && w.stuck.Load() {
		err = fmt.Errorf("%w (%v without an answer)", ErrIMAPTimeout, w.timeout)
	}
	return n, err
}

func (w *watchedConn) Write(p []byte) (int, error) {
	// Stamped before writing: a write the server never reads (its buffers
	// full) counts as unanswered too.
	if w.lastWrite.Load() <= w.lastRead.Load() {
		w.lastWrite.Store(time.Now().UnixNano())
	}
	n, err := w.Conn.Write(p)
	if err != nil && w.stuck.Load() {
		err = fmt.Errorf("%w (%v without an answer)", ErrIMAPTimeout, w.timeout)
	}
	return n, err
}

func (w *watchedConn) Close() error {
	w.once.Do(func() { close(w.done) })
	return w.Conn.Close()
}

// Stuck reports whether the watchdog closed the connection.
func (w *watchedConn) Stuck() bool { return w.stuck.Load() }

func (w *watchedConn) watch() {
	t := time.NewTicker(max(w.timeout/10, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
		}
		lw, lr := w.lastWrite.Load(), w.lastRead.Load()
		if lw > lr && time.Since(time.Unix(0, lw)) > w.timeout {
			w.stuck.Store(true)
			w.Close()
			return
		}
	}
}

// imapConn is a logged-in IMAP client and its watched socket.
type imapConn struct {
	*imapclient.Client
	sock *watchedConn
}

// bounded runs fn, one command of the watcher's own (NOOP, IDLE, DONE,
// LOGOUT), and drops the connection if it has not returned within
// imap.timeout: the socket's watchdog alone would miss a command whose
// answer never comes while the server chatters otherwise (an untagged
// "* OK Still here" just after the DONE).
func (c *imapConn) bounded(fn func() error) error {
	t := time.AfterFunc(c.sock.timeout, func() {
		c.sock.stuck.Store(true)
		c.sock.Close()
	})
	err := fn()
	t.Stop()
	return c.wrap(err)
}

// wrap turns an error of a command on c into ErrIMAPTimeout when the
// watchdog ended the connection (the library reports a closed socket).
func (c *imapConn) wrap(err error) error {
	if err != nil && c.sock.Stuck() && !errors.Is(err, ErrIMAPTimeout) {
		return fmt.Errorf("%w: %v", ErrIMAPTimeout, err)
	}
	return err
}

// dialIMAP connects and logs in, every step bounded by imap.timeout: the
// TCP connect, the TLS handshake, the greeting, STARTTLS and the login.
// Errors are wrapped in ErrIMAPUnreachable, ErrIMAPTLS, ErrLoginRefused or
// ErrIMAPTimeout.
func (b *Bot) dialIMAP(ctx context.Context, handler *imapclient.UnilateralDataHandler) (*imapConn, error) {
	s := b.cfg.IMAP
	timeout := s.Timeout.Duration
	if timeout <= 0 {
		timeout = time.Minute
	}
	tlsConfig := &tls.Config{ServerName: s.Host, InsecureSkipVerify: s.InsecureSkipVerify, MinVersion: tls.VersionTLS12, NextProtos: []string{"imap"}}
	opts := &imapclient.Options{
		TLSConfig:             tlsConfig,
		WordDecoder:           &mime.WordDecoder{CharsetReader: charset.Reader},
		UnilateralDataHandler: handler,
	}
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", s.Address())
	if err != nil {
		return nil, fmt.Errorf("%w: dial %s: %w", ErrIMAPUnreachable, s.Address(), err)
	}
	sock := newWatchedConn(raw, timeout)
	if b.watch.onConnect != nil {
		b.watch.onConnect(raw)
	}
	var c *imapclient.Client
	switch s.Security {
	case "tls":
		tc := tls.Client(sock, tlsConfig)
		hctx, cancel := context.WithTimeout(ctx, timeout)
		err = tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			sock.Close()
			return nil, fmt.Errorf("%w: %s: %w", ErrIMAPTLS, s.Address(), err)
		}
		c = imapclient.New(tc, opts)
	case "starttls":
		c, err = imapclient.NewStartTLS(sock, opts)
		if err != nil {
			sock.Close()
			if isTLSError(err) {
				return nil, fmt.Errorf("%w: starttls %s: %w", ErrIMAPTLS, s.Address(), err)
			}
			return nil, (&imapConn{sock: sock}).wrap(fmt.Errorf("imap: starttls %s: %w", s.Address(), err))
		}
	default:
		c = imapclient.New(sock, opts)
	}
	conn := &imapConn{Client: c, sock: sock}
	switch s.Auth {
	case "oauth2":
		tok, terr := b.oauth.Token(ctx)
		if terr != nil {
			c.Close()
			return nil, fmt.Errorf("%w: %w", ErrLoginRefused, terr)
		}
		err = c.Authenticate(NewXOAUTH2Client(s.Username, tok))
	default:
		pw, perr := s.Password().Value()
		if perr != nil {
			c.Close()
			return nil, fmt.Errorf("imap password: %w", perr)
		}
		err = c.Login(s.Username, pw).Wait()
	}
	if err != nil {
		c.Close()
		var ie *imap.Error
		switch {
		case errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo:
			// RFC 9051 6.2.3: NO is "login failure: user name or
			// password rejected" (Dovecot adds [AUTHENTICATIONFAILED];
			// Exchange does not).
			return nil, fmt.Errorf("%w: as %s: %w", ErrLoginRefused, s.Username, err)
		case isTLSError(err):
			return nil, fmt.Errorf("%w: %s: %w", ErrIMAPTLS, s.Address(), err)
		}
		return nil, conn.wrap(fmt.Errorf("imap: login as %s: %w", s.Username, err))
	}
	return conn, nil
}

// backoffPolicy is how long the watcher waits before it connects again.
type backoffPolicy struct {
	first, max               time.Duration // after other failures: doubling from first to max
	refusedFirst, refusedMax time.Duration // after a refused login
}

// wait is the wait before the next try after the n-th failure in a row
// (n >= 1): doubling from first, capped at max; from refusedFirst to
// refusedMax after refused logins.
func (p backoffPolicy) wait(refused bool, n int) time.Duration {
	d, top := p.first, p.max
	if refused {
		d, top = p.refusedFirst, p.refusedMax
	}
	for i := 1; i < n && d < top; i++ {
		d *= 2
	}
	return min(d, top)
}

// defaultBackoff: an outage is retried within about a minute (the wait
// doubles from a second and is capped there); a refused login only after
// five minutes, then ten, twenty, forty and hourly. Microsoft 365 locks an
// account after about ten failed sign-ins in a short time (Entra smart
// lockout); three refusals take drpbot fifteen minutes.
var defaultBackoff = backoffPolicy{first: time.Second, max: time.Minute, refusedFirst: 5 * time.Minute, refusedMax: time.Hour}

// jitter spreads a wait over 0.75 to 1.25 of itself, so that many
// watchers (folders, or councils on one server) do not reconnect in step.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d*3/4 + rand.N(d/2+1)
}

// watchState is the watchers' shared state: the connection's health and,
// for tests, hooks and a faster backoff.
type watchState struct {
	health    imapHealth
	backoff   *backoffPolicy // nil: defaultBackoff
	onConnect func(net.Conn) // tests: the socket of each new connection
}

func (b *Bot) backoffPolicy() backoffPolicy {
	if b.watch.backoff != nil {
		return *b.watch.backoff
	}
	return defaultBackoff
}
