package mailbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"

	"github.com/drpbot/drpbot/mailbot/config"
)

// tokenSource gets and caches an OAuth2 access token by the client
// credentials flow, as Microsoft 365 wants for a daemon reading a shared
// mailbox (IMAP.AccessAsApp, SMTP.SendAsApp).
type tokenSource struct {
	cfg    config.OAuth2
	scope  string
	client *http.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

func newTokenSource(cfg config.OAuth2) *tokenSource {
	return &tokenSource{cfg: cfg, scope: "https://outlook.office365.com/.default", client: &http.Client{Timeout: 30 * time.Second}}
}

func (ts *tokenSource) tokenURL() string {
	if ts.cfg.TokenURL != "" {
		return ts.cfg.TokenURL
	}
	return "https://login.microsoftonline.com/" + url.PathEscape(ts.cfg.TenantID) + "/oauth2/v2.0/token"
}

// Token returns a token valid for at least another minute.
func (ts *tokenSource) Token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.token != "" && time.Until(ts.expires) > time.Minute {
		return ts.token, nil
	}
	secret, err := ts.cfg.ClientSecret().Value()
	if err != nil {
		return "", fmt.Errorf("oauth2: client secret: %w", err)
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {ts.cfg.ClientID},
		"client_secret": {secret},
		"scope":         {ts.scope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.tokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := ts.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("oauth2: token request: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&body); err != nil {
		return "", fmt.Errorf("oauth2: token response (HTTP %d): %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || body.AccessToken == "" {
		return "", fmt.Errorf("oauth2: token refused (HTTP %d): %s %s", resp.StatusCode, body.Error, firstLine(body.Description))
	}
	ts.token = body.AccessToken
	ts.expires = time.Now().Add(time.Duration(body.ExpiresIn) * time.Second)
	return ts.token, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// xoauth2 is the SASL XOAUTH2 client (Google's and Microsoft's mechanism,
// which go-sasl does not provide): one message,
// "user=" user ^A "auth=Bearer " token ^A ^A.
type xoauth2 struct {
	user, token string
}

// NewXOAUTH2Client returns a SASL client for XOAUTH2.
func NewXOAUTH2Client(user, token string) sasl.Client { return &xoauth2{user, token} }

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next receives the server's error challenge (a JSON status) after a
// refused token; answering with an empty response ends the exchange so
// the server reports the failure.
func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	if len(challenge) > 0 {
		return []byte{}, nil
	}
	return nil, errors.New("xoauth2: unexpected challenge")
}
