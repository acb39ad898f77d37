// Package sandbox runs a small mail system in the process, on 127.0.0.1:
// go-imap's in-memory IMAP server and a go-smtp server that delivers into
// its mailboxes. The demo uses it, and so do the fast tests, so that
// `go test ./...` needs no mail server on the machine.
package sandbox

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Sandbox is a running IMAP + SMTP pair. Every address is an IMAP user
// (login: the address) with an INBOX; SMTP delivers to those addresses and
// refuses others with 550, as a real server does for an unknown mailbox.
type Sandbox struct {
	IMAPAddr string
	SMTPAddr string
	// IMAPSAddr is IMAP over implicit TLS, and SMTP offers STARTTLS, both
	// with a self-signed certificate for "localhost", after EnableTLS.
	IMAPSAddr string

	mem   *imapmemserver.Server
	imapS *imapserver.Server
	smtpS *smtp.Server
	// tlsConfig is SMTP's STARTTLS config after EnableTLS, kept for a
	// restarted server.
	tlsConfig *tls.Config

	mu       sync.Mutex
	users    map[string]*imapmemserver.User
	pass     map[string]string
	smtpDown bool
	received map[string]int
}

// Start starts both servers for the given address -> password pairs.
func Start(users map[string]string) (*Sandbox, error) {
	s := &Sandbox{mem: imapmemserver.New(), users: map[string]*imapmemserver.User{}, pass: map[string]string{}, received: map[string]int{}}
	for addr, pw := range users {
		s.AddUser(addr, pw)
	}
	il, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.IMAPAddr = il.Addr().String()
	s.serveIMAP(il)

	sl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		il.Close()
		return nil, err
	}
	s.SMTPAddr = sl.Addr().String()
	s.serveSMTP(sl)
	return s, nil
}

func (s *Sandbox) serveSMTP(l net.Listener) {
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.MaxMessageBytes = 32 << 20
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.mu.Lock()
	if s.tlsConfig != nil {
		srv.TLSConfig = s.tlsConfig
	}
	s.smtpS = srv
	s.mu.Unlock()
	go srv.Serve(l)
}

// StopSMTP closes the SMTP listener and every SMTP connection: a server
// that is down, as a client sees it (connection refused).
func (s *Sandbox) StopSMTP() error {
	s.mu.Lock()
	srv := s.smtpS
	s.mu.Unlock()
	return srv.Close()
}

// StartSMTP listens again on the same address after StopSMTP.
func (s *Sandbox) StartSMTP() error {
	l, err := net.Listen("tcp", s.SMTPAddr)
	if err != nil {
		return err
	}
	s.serveSMTP(l)
	return nil
}

func (s *Sandbox) serveIMAP(l net.Listener) {
	s.imapS = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return idleFlush{s.mem.NewSession()}, nil, nil
		},
		InsecureAuth: true,
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger:       log.New(io.Discard, "", 0),
	})
	go s.imapS.Serve(l)
}

// idleFlush sends updates queued before IDLE when IDLE starts, as Dovecot
// does; the in-memory server would hold them until the next update.
type idleFlush struct {
	imapserver.Session
}

func (s idleFlush) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.Poll(w, true); err != nil {
		return err
	}
	return s.Session.Idle(w, stop)
}

// Namespace and Move pass through, for mail clients in the demo.
func (s idleFlush) Namespace() (*imap.NamespaceData, error) {
	return s.Session.(imapserver.SessionNamespace).Namespace()
}

func (s idleFlush) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	return s.Session.(imapserver.SessionMove).Move(w, numSet, dest)
}

// RestartIMAP drops every IMAP connection and listens again on the same
// address after pause, keeping the mail: a server restart as clients see it.
func (s *Sandbox) RestartIMAP(pause time.Duration) error {
	s.imapS.Close()
	time.Sleep(pause)
	l, err := net.Listen("tcp", s.IMAPAddr)
	if err != nil {
		return err
	}
	s.serveIMAP(l)
	return nil
}

// EnableTLS adds an implicit-TLS IMAP listener and STARTTLS on SMTP, with
// a freshly made self-signed certificate: clients that verify refuse it,
// as they must.
func (s *Sandbox) EnableTLS() error {
	cert, err := selfSigned()
	if err != nil {
		return err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		return err
	}
	s.IMAPSAddr = l.Addr().String()
	go s.imapS.Serve(l)
	s.mu.Lock()
	s.tlsConfig = cfg
	s.smtpS.TLSConfig = cfg
	s.mu.Unlock()
	return nil
}

func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// AddUser adds a mailbox.
func (s *Sandbox) AddUser(addr, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	addr = strings.ToLower(addr)
	if _, ok := s.users[addr]; ok {
		return
	}
	u := imapmemserver.NewUser(addr, password)
	u.Create("INBOX", nil)
	s.mem.AddUser(u)
	s.users[addr] = u
	s.pass[addr] = password
}

// Close stops both servers.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	srv := s.smtpS
	s.mu.Unlock()
	return errors.Join(s.imapS.Close(), srv.Close())
}

// SetSMTPDown makes the SMTP server answer every message with a temporary
// failure (451), as a server in trouble does.
func (s *Sandbox) SetSMTPDown(down bool) {
	s.mu.Lock()
	s.smtpDown = down
	s.mu.Unlock()
}

// Received is how many messages SMTP delivered to addr.
func (s *Sandbox) Received(addr string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received[strings.ToLower(addr)]
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// Deliver appends raw to each address's INBOX, as if it had arrived.
func (s *Sandbox) Deliver(raw []byte, to ...string) error {
	for _, addr := range to {
		s.mu.Lock()
		u := s.users[strings.ToLower(addr)]
		s.mu.Unlock()
		if u == nil {
			return fmt.Errorf("sandbox: no mailbox %s", addr)
		}
		if _, err := u.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: time.Now()}); err != nil {
			return err
		}
		s.mu.Lock()
		s.received[strings.ToLower(addr)]++
		s.mu.Unlock()
	}
	return nil
}

type backend struct{ s *Sandbox }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Sandbox
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		ss.s.mu.Lock()
		defer ss.s.mu.Unlock()
		if pw, ok := ss.s.pass[strings.ToLower(username)]; ok && pw == password {
			return nil
		}
		return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	_, ok := ss.s.users[strings.ToLower(to)]
	down := ss.s.smtpDown
	ss.s.mu.Unlock()
	if down {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	if !ok {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return ss.s.Deliver(raw, ss.to...)
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// Email is a plain-text message for the sandbox, written as a mail client
// would: the headers given (extra ones as "Name: value") and the body.
type Email struct {
	From, Subject, MessageID, InReplyTo string
	To, Cc                              []string
	Date                                time.Time
	Body                                string
	Extra                               []string
}

// Bytes renders the message in RFC 5322 form.
func (e Email) Bytes() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\n", e.From, strings.Join(e.To, ", "))
	if len(e.Cc) > 0 {
		fmt.Fprintf(&b, "Cc: %s\r\n", strings.Join(e.Cc, ", "))
	}
	fmt.Fprintf(&b, "Subject: %s\r\nDate: %s\r\nMessage-ID: %s\r\n", e.Subject, e.Date.Format(time.RFC1123Z), e.MessageID)
	if e.InReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: %s\r\nReferences: %s\r\n", e.InReplyTo, e.InReplyTo)
	}
	for _, x := range e.Extra {
		b.WriteString(x + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(e.Body, "\n", "\r\n"))
	return []byte(b.String())
}
