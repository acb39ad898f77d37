package mailbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/drpbot/drpbot/mailbot/directory"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// Live views. While the daemon runs it holds the store's file lock, so
// `drpbot list`, `show` and `report` ask the daemon instead of opening the
// file: a Query goes over a unix socket beside the store (mode 0600, so
// only the daemon's own user can ask), the daemon answers it in one read
// transaction with the settings in force, and the command prints the
// answer. Nothing is copied, so the answer takes as long as the query,
// whatever the store's size. When no daemon runs, the command answers the
// same Query from the file itself, through the same Answer.

// ErrBadQuery marks a query that cannot be answered as asked (an unknown
// kind or format).
var ErrBadQuery = errors.New("mailbot: bad query")

// ErrNoDaemon means no daemon answers on the query socket.
var ErrNoDaemon = errors.New("mailbot: no daemon answers on the query socket")

// QuerySocketPath is where the daemon holding the store at storePath
// answers queries.
func QuerySocketPath(storePath string) string { return storePath + ".query.sock" }

// Query is one read-only question about the store.
type Query struct {
	// Kind is "list", "show" or "report".
	Kind string `json:"kind"`
	// Filter selects the disputes of a list.
	Filter Filter `json:"filter"`
	// Ref is the dispute to show.
	Ref string `json:"ref,omitempty"`
	// JSON asks list and show for JSON instead of text.
	JSON bool `json:"json,omitempty"`
	// Period is the report's; Format is md (the zero value), csv or html.
	Period Period `json:"period"`
	// LastPeriod asks, instead of Period, for the council's last full
	// report period under the policy in force (its report months).
	LastPeriod bool   `json:"last_period,omitempty"`
	Format     string `json:"format,omitempty"`
}

// View is what a query reads besides the store: the settings in force.
type View struct {
	Policy    *policy.Policy
	Calendar  *workdays.Calendar
	Directory *directory.Directory
	Now       time.Time
}

// Answer writes q's answer to w, reading tx.
func Answer(w io.Writer, tx *store.Tx, q Query, v View) error {
	switch q.Kind {
	case "list":
		rows, err := List(tx, q.Filter, v.Policy, v.Calendar, v.Now)
		if err != nil {
			return err
		}
		return WriteList(w, rows, q.JSON)
	case "show":
		d, err := tx.Dispute(q.Ref)
		if err != nil {
			return err
		}
		evs, err := tx.Events(d.Ref)
		if err != nil {
			return err
		}
		return WriteShow(w, d, evs, v.Policy, v.Calendar, v.Now, q.JSON)
	case "report":
		var write func(Report, io.Writer) error
		switch q.Format {
		case "", "md":
			write = Report.WriteMarkdown
		case "csv":
			write = Report.WriteCSV
		case "html":
			write = Report.WriteHTML
		default:
			return fmt.Errorf("%w: --format %q is not md, csv or html", ErrBadQuery, q.Format)
		}
		if q.LastPeriod {
			q.Period = LastReportPeriod(v.Now, v.Policy.ReportMonths)
		}
		r, err := BuildReport(tx, v.Policy, v.Calendar, v.Directory, q.Period, v.Now)
		if err != nil {
			return err
		}
		return write(r, w)
	}
	return fmt.Errorf("%w: unknown kind %q", ErrBadQuery, q.Kind)
}

// view is the bot's settings in force. A reload replaces them and never
// changes them in place, so the query goes on with these without holding
// the lock (a long report never holds up a reload).
func (b *Bot) view() View {
	defer b.readLive()()
	return View{Policy: b.policy, Calendar: b.cal, Directory: b.dir, Now: b.Now()}
}

// Answer answers q from the running bot's store and settings.
func (b *Bot) Answer(w io.Writer, q Query) error {
	v := b.view()
	return b.st.View(func(tx *store.Tx) error { return Answer(w, tx, q, v) })
}

// queryHandler answers POST /query: a JSON Query in, the answer out as
// the command prints it. 404 is an unknown dispute, 400 a bad query.
func (b *Bot) queryHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /query", func(w http.ResponseWriter, r *http.Request) {
		var q Query
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&q); err != nil {
			http.Error(w, "bad query: "+err.Error(), http.StatusBadRequest)
			return
		}
		// Answered whole before anything is written, so that an error
		// half-way is an error status, not a short answer.
		var buf bytes.Buffer
		if err := b.Answer(&buf, q); err != nil {
			status := http.StatusInternalServerError
			switch {
			case errors.Is(err, store.ErrNotFound):
				status = http.StatusNotFound
			case errors.Is(err, ErrBadQuery):
				status = http.StatusBadRequest
			}
			if status == http.StatusInternalServerError {
				b.log.Error("query", "kind", q.Kind, "err", err)
			}
			http.Error(w, err.Error(), status)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(buf.Bytes())
	})
	return mux
}

// ServeQueries answers queries on a unix socket (mode 0600) at socketPath
// until ctx ends, then removes it. A socket left by a killed daemon is
// replaced: only the process holding the store's lock gets this far.
func (b *Bot) ServeQueries(ctx context.Context, socketPath string) error {
	_ = os.Remove(socketPath)
	l, err := net.Listen("unix", socketPath)
	if err != nil {
		return fmt.Errorf("mailbot: query socket: %w", err)
	}
	defer os.Remove(socketPath)
	if err := os.Chmod(socketPath, 0o600); err != nil {
		l.Close()
		return fmt.Errorf("mailbot: query socket: %w", err)
	}
	srv := &http.Server{Handler: b.queryHandler(), ReadHeaderTimeout: 10 * time.Second}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	err = srv.Serve(l)
	wg.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("mailbot: query socket: %w", err)
	}
	return nil
}

// AskDaemon sends q to the daemon answering on socketPath and copies the
// answer to w. With no daemon there (no socket, or one a killed daemon
// left) it returns ErrNoDaemon having written nothing; an unknown dispute
// is store.ErrNotFound and a bad query ErrBadQuery, with the daemon's
// message.
func AskDaemon(ctx context.Context, socketPath string, q Query, w io.Writer) error {
	body, err := json.Marshal(q)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socketPath)
		},
		DisableKeepAlives: true,
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://drpbot/query", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return fmt.Errorf("%w: %w", ErrNoDaemon, err)
		}
		return fmt.Errorf("mailbot: query: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		text := strings.TrimSpace(string(msg))
		switch resp.StatusCode {
		case http.StatusNotFound:
			return remoteError{text, store.ErrNotFound}
		case http.StatusBadRequest:
			return remoteError{text, ErrBadQuery}
		}
		return fmt.Errorf("mailbot: the daemon could not answer: %s", text)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("mailbot: query: %w", err)
	}
	return nil
}

// remoteError is the daemon's message for an error it sent as a status,
// matching (errors.Is) the sentinel the status stands for.
type remoteError struct {
	msg string
	is  error
}

func (e remoteError) Error() string { return e.msg }
func (e remoteError) Unwrap() error { return e.is }
