package mailbot

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// TestQuerySocket asks a running daemon list, show and report over its
// query socket: each answer is the one the same query gets from the store
// directly; an unknown dispute and a bad format are the sentinel errors;
// once the daemon stops, the socket is gone and ErrNoDaemon says so.
func TestQuerySocket(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	ref := raise(t, w, "<query-1@drpbot.test>", "5151515")
	w.at(3, 9)
	w.cfg.Schedule.Tick, w.cfg.Schedule.Digest, w.cfg.Schedule.Report = "", "", ""
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); w.bot.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	sock := QuerySocketPath(w.bot.Store().Path())
	waitUntil(t, "the query socket", func() bool { _, err := os.Stat(sock); return err == nil })
	if fi, _ := os.Stat(sock); fi.Mode().Perm() != 0o600 {
		t.Errorf("query socket mode %v, want 0600", fi.Mode().Perm())
	}

	stage := 1
	per := Period{Name: "November", From: workdays.Date{Year: 2026, Month: 11, Day: 1}, To: workdays.Date{Year: 2026, Month: 12, Day: 1}}
	for _, q := range []Query{
		{Kind: "list"},
		{Kind: "list", Filter: Filter{Open: true, Stage: &stage}, JSON: true},
		{Kind: "list", Filter: Filter{Respondent: addrOf("practice.lead")}},
		{Kind: "show", Ref: ref},
		{Kind: "show", Ref: ref, JSON: true},
		{Kind: "report", Period: per},
		{Kind: "report", Period: per, Format: "csv"},
		{Kind: "report", Period: per, Format: "html"},
		{Kind: "report", LastPeriod: true}, // the council's own cadence, from the daemon's policy
	} {
		var remote, local bytes.Buffer
		if err := AskDaemon(ctx, sock, q, &remote); err != nil {
			t.Errorf("%+v: %v", q, err)
			continue
		}
		v := View{Policy: w.bot.Policy(), Calendar: w.bot.Calendar(), Directory: w.bot.Directory(), Now: w.now}
		if err := w.bot.Store().View(func(tx *store.Tx) error { return Answer(&local, tx, q, v) }); err != nil {
			t.Fatal(err)
		}
		if remote.String() != local.String() || !strings.Contains(remote.String(), ref) && q.Kind != "report" {
			t.Errorf("%+v: over the socket\n%s\ndirectly\n%s", q, remote.String(), local.String())
		}
	}
	err := AskDaemon(ctx, sock, Query{Kind: "show", Ref: "DRP-1999-0001"}, &bytes.Buffer{})
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "DRP-1999-0001") {
		t.Errorf("unknown dispute: %v", err)
	}
	if err := AskDaemon(ctx, sock, Query{Kind: "report", Period: per, Format: "pdf"}, &bytes.Buffer{}); !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), "pdf") {
		t.Errorf("bad format: %v", err)
	}
	cancel()
	wg.Wait()
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("query socket left behind: %v", err)
	}
	if err := AskDaemon(context.Background(), sock, Query{Kind: "list"}, &bytes.Buffer{}); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("no daemon: %v", err)
	}
}

// TestListRespondentOpenOnly: --respondent lists what waits on someone,
// not their closed cases, unless --all.
func TestListRespondentOpenOnly(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	st.Update(func(tx *store.Tx) error {
		tx.PutDispute(engine.Dispute{Ref: "DRP-2026-0001", Respondent: "pl@c.example", Stage: 1, Status: engine.Open, Opened: at}, time.Time{})
		tx.PutDispute(engine.Dispute{Ref: "DRP-2026-0002", Respondent: "pl@c.example", Stage: 1, Status: engine.Resolved, Opened: at, Closed: at}, time.Time{})
		tx.PutDispute(engine.Dispute{Ref: "DRP-2026-0003", Respondent: "sm@c.example", Stage: 2, Status: engine.Open, Opened: at}, time.Time{})
		return nil
	})
	p, _ := policy.Preset("newham")
	cal, _ := workdays.New(workdays.EnglandWales, nil)
	refs := func(f Filter) string {
		var out []string
		st.View(func(tx *store.Tx) error {
			rows, err := List(tx, f, &p, cal, at)
			for _, r := range rows {
				out = append(out, r.Ref)
			}
			return err
		})
		return strings.Join(out, " ")
	}
	if got := refs(Filter{Respondent: "PL@c.example"}); got != "DRP-2026-0001" {
		t.Errorf("--respondent: %s", got)
	}
	if got := refs(Filter{Respondent: "pl@c.example", All: true}); got != "DRP-2026-0001 DRP-2026-0002" {
		t.Errorf("--respondent --all: %s", got)
	}
	if got := refs(Filter{}); got != "DRP-2026-0001 DRP-2026-0002 DRP-2026-0003" {
		t.Errorf("no filter: %s", got)
	}
}
