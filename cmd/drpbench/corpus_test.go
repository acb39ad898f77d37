package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/drpbot/drpbot/parser"
)

// TestCorpus: the generated mailbox is what the figures claim: its size,
// its share of dispute traffic, in arrival order, and drpbot's parser reads
// each thread as an alert, a reply, an instruction and an auto-reply or
// note (a mailbox drpbot ignored would make its sync look fast).
func TestCorpus(t *testing.T) {
	ms := corpus(7, 400, 80, syncEnd)
	if len(ms) != 400 {
		t.Fatalf("%d messages", len(ms))
	}
	p := parser.New(parser.DefaultOptions())
	var thread, alerts, commands, auto, other int
	for i, m := range ms {
		if i > 0 && m.at.Before(ms[i-1].at) {
			t.Fatalf("message %d out of order", i)
		}
		f, err := p.ParseBytes(m.raw)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if f.MessageID != m.id {
			t.Errorf("message %d: Message-ID %q, want %q", i, f.MessageID, m.id)
		}
		if !m.thread {
			if f.Heading != "" {
				t.Errorf("ordinary message %d carries a heading: %q", i, f.Heading)
			}
			other++
			continue
		}
		thread++
		switch {
		case m.alert:
			alerts++
			if f.Heading == "" || f.ChildRef == "" || f.Stage == nil || *f.Stage != 1 || f.IsReply {
				t.Errorf("alert %d read as heading %q, child %q, stage %v, reply %v", i, f.Heading, f.ChildRef, f.Stage, f.IsReply)
			}
		case f.AutoReply:
			auto++
		case f.Command == "resolved":
			commands++
		}
	}
	if thread != 80 || alerts != 20 || commands != 20 || auto == 0 || other != 320 {
		t.Errorf("thread %d, alerts %d, resolved %d, auto-replies %d, other %d", thread, alerts, commands, auto, other)
	}
}

// TestSeed: a small seeded store has exactly the due disputes asked for.
func TestSeed(t *testing.T) {
	dir := t.TempDir()
	e := &env{imap: "127.0.0.1:143", smtp: "127.0.0.1:25", password: "x"}
	cfg, err := e.writeConfig(dir, botConfig{user: "bench@drpbot.test", store: filepath.Join(dir, "drpbot.db")})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if err := seed(cfg, filepath.Join(dir, "drpbot.db"), 60, 20, 7, at); err != nil {
		t.Fatal(err)
	}
}
