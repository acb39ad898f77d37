package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
)

func open(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tmpPath(t testing.TB) string { return filepath.Join(t.TempDir(), "drpbot.db") }

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func TestOpen(t *testing.T) {
	path := tmpPath(t)
	s := open(t, path)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v", fi.Mode().Perm(), err)
	}
	// A second opener fails fast with a clear error.
	start := time.Now()
	if _, err := Open(path); !errors.Is(err, ErrLocked) {
		t.Errorf("second open: %v", err)
	}
	if time.Since(start) > 30*time.Second {
		t.Error("second open hung")
	}
	s.Close()
	// A file from a newer drpbot is refused, not mangled.
	db, _ := bolt.Open(path, 0o600, nil)
	db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte("schema"), u64(Schema+1)) })
	db.Close()
	if _, err := Open(path); !errors.Is(err, ErrNewer) {
		t.Errorf("newer schema: %v", err)
	}
	// An existing file with loose permissions is tightened.
	p2 := tmpPath(t)
	os.WriteFile(p2, nil, 0o644)
	os.Remove(p2)
	s2 := open(t, p2)
	s2.Close()
	os.Chmod(p2, 0o644)
	s2 = open(t, p2)
	s2.Close()
	if fi, _ := os.Stat(p2); fi.Mode().Perm() != 0o600 {
		t.Errorf("reopened mode %v", fi.Mode().Perm())
	}
}

func dispute(ref, child string) engine.Dispute {
	return engine.Dispute{Ref: ref, ChildRef: child, Instigator: "iro@c.example", Stage: 1, Status: engine.Open, Opened: t0}
}

// TestReopenEveryStep writes, closes and reopens after every step, as a
// restart at any moment would.
func TestReopenEveryStep(t *testing.T) {
	path := tmpPath(t)
	step := func(fn func(*Tx) error) {
		t.Helper()
		s := open(t, path)
		defer s.Close()
		if err := s.Update(fn); err != nil {
			t.Fatal(err)
		}
	}
	check := func(fn func(*Tx) error) {
		t.Helper()
		s := open(t, path)
		defer s.Close()
		if err := s.View(fn); err != nil {
			t.Fatal(err)
		}
	}
	var refs []string
	for _, at := range []time.Time{t0, t0, t0.AddDate(1, 0, 0)} {
		step(func(tx *Tx) error {
			ref, err := tx.NewRef(at)
			refs = append(refs, ref)
			return err
		})
	}
	if strings.Join(refs, ",") != "DRP-2026-0001,DRP-2026-0002,DRP-2027-0001" {
		t.Errorf("refs %v", refs)
	}
	step(func(tx *Tx) error { return tx.PutDispute(dispute("DRP-2026-0001", "1234567"), t0.Add(48*time.Hour)) })
	step(func(tx *Tx) error { return tx.PutDispute(dispute("DRP-2026-0002", "1234567"), t0.Add(24*time.Hour)) })
	check(func(tx *Tx) error {
		d, err := tx.Dispute("DRP-2026-0001")
		if err != nil || d.ChildRef != "1234567" || d.Status != engine.Open {
			t.Errorf("read back %+v %v", d, err)
		}
		if _, err := tx.Dispute("DRP-2026-9999"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
		if got := tx.ByChild("1234567"); strings.Join(got, ",") != "DRP-2026-0001,DRP-2026-0002" {
			t.Errorf("ByChild %v", got)
		}
		if got := tx.Due(t0.Add(30 * time.Hour)); strings.Join(got, ",") != "DRP-2026-0002" {
			t.Errorf("Due %v", got)
		}
		if !tx.NextDue().Equal(t0.Add(24 * time.Hour)) {
			t.Errorf("NextDue %v", tx.NextDue())
		}
		return nil
	})
	// Moving the next action moves the index entry; zero removes it.
	step(func(tx *Tx) error { return tx.PutDispute(dispute("DRP-2026-0002", "1234567"), t0.Add(72*time.Hour)) })
	step(func(tx *Tx) error { return tx.PutDispute(dispute("DRP-2026-0001", "1234567"), time.Time{}) })
	check(func(tx *Tx) error {
		if got := tx.Due(t0.Add(100 * time.Hour)); strings.Join(got, ",") != "DRP-2026-0002" {
			t.Errorf("Due after moves %v", got)
		}
		return nil
	})
	step(func(tx *Tx) error {
		for i, kind := range []string{"alert", "response", "command"} {
			if _, err := tx.AppendEvent("DRP-2026-0002", Event{At: t0.Add(time.Duration(i) * time.Hour), Kind: kind, MessageID: fmt.Sprintf("<m%d@x>", i)}); err != nil {
				return err
			}
			if err := tx.MarkSeen(fmt.Sprintf("<m%d@x>", i), "DRP-2026-0002"); err != nil {
				return err
			}
		}
		if err := tx.MarkSeen("<other@x>", ""); err != nil {
			return err
		}
		if err := tx.LinkConversation("01d2c3", "DRP-2026-0002"); err != nil {
			return err
		}
		return tx.SetCheckpoint("INBOX", Checkpoint{UIDValidity: 7, LastUID: 42})
	})
	check(func(tx *Tx) error {
		evs, err := tx.Events("DRP-2026-0002")
		if err != nil || len(evs) != 3 || evs[0].Kind != "alert" || evs[2].Seq != 3 {
			t.Errorf("events %+v %v", evs, err)
		}
		if ref, seen := tx.Seen("<m1@x>"); !seen || ref != "DRP-2026-0002" {
			t.Errorf("Seen %q %v", ref, seen)
		}
		if ref, seen := tx.Seen("<other@x>"); !seen || ref != "" {
			t.Errorf("Seen other %q %v", ref, seen)
		}
		if _, seen := tx.Seen("<new@x>"); seen {
			t.Error("unseen message seen")
		}
		if ref, ok := tx.Conversation("01d2c3"); !ok || ref != "DRP-2026-0002" {
			t.Errorf("Conversation %q", ref)
		}
		if c, _ := tx.Checkpoint("INBOX"); c.UIDValidity != 7 || c.LastUID != 42 {
			t.Errorf("checkpoint %+v", c)
		}
		return nil
	})
}

func row(ref string, seq int, at time.Time) OutboxRow {
	return OutboxRow{MessageID: MessageID(ref, 1, "reminder", seq, "c.example"), Ref: ref, Stage: 1, Purpose: "reminder", Seq: seq, To: []string{"pl@c.example"}, Created: at}
}

func TestOutbox(t *testing.T) {
	path := tmpPath(t)
	s := open(t, path)
	r1, r2 := row("DRP-2026-0001", 1, t0), row("DRP-2026-0001", 2, t0.Add(time.Minute))
	if r1.MessageID != "<drp-2026-0001.s1.reminder.1@c.example>" {
		t.Errorf("MessageID %s", r1.MessageID)
	}
	err := s.Update(func(tx *Tx) error {
		if err := tx.AddOutbox(r2); err != nil {
			return err
		}
		return tx.AddOutbox(r1)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *Tx) error { return tx.AddOutbox(r1) }); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	due, _ := s.OutboxDue(t0.Add(time.Hour), 10)
	if len(due) != 2 || due[0].MessageID != r1.MessageID {
		t.Fatalf("due %+v", due)
	}
	// The attempt is recorded before sending; then the process dies.
	if _, err := s.BeginAttempt(r1.MessageID, t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path)
	defer s.Close()
	due, _ = s.OutboxDue(t0.Add(5*time.Minute), 10)
	if len(due) != 1 || due[0].MessageID != r2.MessageID {
		t.Errorf("after crash mid-send the row was due at once: %+v", due)
	}
	due, _ = s.OutboxDue(t0.Add(10*time.Minute), 10)
	if len(due) != 2 || due[1].Attempts != 1 {
		t.Errorf("retry not due: %+v", due)
	}
	if err := s.Retry(r2.MessageID, "421 try later", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Finish(r1.MessageID, t0.Add(11*time.Minute), "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Finish(r2.MessageID, t0.Add(2*time.Hour), "550 no such user", false); err != nil {
		t.Fatal(err)
	}
	// Sent or failed, a row can never be queued again.
	if err := s.Update(func(tx *Tx) error { return tx.AddOutbox(r1) }); !errors.Is(err, ErrDuplicate) {
		t.Errorf("re-add after send: %v", err)
	}
	s.View(func(tx *Tx) error {
		if tx.OutboxLen() != 0 {
			t.Errorf("outbox len %d", tx.OutboxLen())
		}
		h, ok := tx.Outboxed(r2.MessageID)
		if !ok || !h.Failed || h.LastError != "550 no such user" {
			t.Errorf("history %+v", h)
		}
		h, _ = tx.Outboxed(r1.MessageID)
		if h.Sent.IsZero() || h.Attempts != 1 {
			t.Errorf("sent row %+v", h)
		}
		return nil
	})
	if due, _ := s.OutboxDue(t0.Add(100*time.Hour), 10); len(due) != 0 {
		t.Errorf("finished rows still due: %v", due)
	}
}

// TestAtomic: a state change and its emails commit together or not at all.
func TestAtomic(t *testing.T) {
	s := open(t, tmpPath(t))
	defer s.Close()
	boom := errors.New("boom")
	err := s.Update(func(tx *Tx) error {
		if err := tx.PutDispute(dispute("DRP-2026-0001", "1"), t0); err != nil {
			return err
		}
		if err := tx.AddOutbox(row("DRP-2026-0001", 1, t0)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	s.View(func(tx *Tx) error {
		if _, err := tx.Dispute("DRP-2026-0001"); !errors.Is(err, ErrNotFound) {
			t.Error("dispute written without its commit")
		}
		if tx.OutboxLen() != 0 || len(tx.Due(t0.Add(time.Hour))) != 0 {
			t.Error("outbox or index written without its commit")
		}
		return nil
	})
}

// TestKilledMidTransaction kills a child process with SIGKILL while it is
// inside a write transaction and shows the file opens with the last
// committed state.
func TestKilledMidTransaction(t *testing.T) {
	if os.Getenv("DRPBOT_STORE_CHILD") != "" {
		return
	}
	path := tmpPath(t)
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=TestChildWriter$", "-test.v")
		cmd.Env = append(os.Environ(), "DRPBOT_STORE_CHILD="+path, fmt.Sprintf("DRPBOT_STORE_ROUND=%d", round))
		var out bytes.Buffer
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4096)
		for !strings.Contains(out.String(), "IN-TX") {
			n, err := stdout.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				t.Fatalf("child ended before its transaction: %s", out.String())
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		s := open(t, path)
		s.View(func(tx *Tx) error {
			n := 0
			tx.ForEachDispute(func(engine.Dispute) error { n++; return nil })
			// Each round commits 100 disputes, then is killed inside the
			// next 100: only whole commits survive.
			if want := 100 * (round + 1); n != want {
				t.Errorf("round %d: %d disputes, want %d", round, n, want)
			}
			if got := tx.OutboxLen(); got != 100*(round+1) {
				t.Errorf("round %d: %d outbox rows", round, got)
			}
			return nil
		})
		s.Close()
	}
}

// TestChildWriter is the child of TestKilledMidTransaction.
func TestChildWriter(t *testing.T) {
	path := os.Getenv("DRPBOT_STORE_CHILD")
	if path == "" {
		return
	}
	round := os.Getenv("DRPBOT_STORE_ROUND")
	s := open(t, path)
	write := func(batch string, hang bool) {
		s.Update(func(tx *Tx) error {
			for i := 0; i < 100; i++ {
				ref := fmt.Sprintf("DRP-2026-%s%s%03d", round, batch, i)
				tx.PutDispute(dispute(ref, "1"), t0)
				tx.AddOutbox(row(ref, 1, t0))
			}
			if hang {
				fmt.Println("IN-TX")
				os.Stdout.Sync()
				time.Sleep(time.Minute)
			}
			return nil
		})
	}
	write("a", false)
	write("b", true)
}

func TestPurge(t *testing.T) {
	path := tmpPath(t)
	s := open(t, path)
	closed := dispute("DRP-2026-0001", "7777777")
	closed.Status, closed.Closed = engine.Resolved, t0
	recent := dispute("DRP-2026-0002", "8888888")
	recent.Status, recent.Closed = engine.Closed, t0.AddDate(1, 0, 0)
	open1 := dispute("DRP-2026-0003", "9999999")
	s.Update(func(tx *Tx) error {
		for _, d := range []engine.Dispute{closed, recent, open1} {
			tx.PutDispute(d, t0.Add(time.Hour))
			tx.AppendEvent(d.Ref, Event{At: t0, Kind: "alert", MessageID: "<" + d.Ref + "@x>"})
			tx.MarkSeen("<"+d.Ref+"@x>", d.Ref)
			tx.LinkConversation("conv-"+d.Ref, d.Ref)
			tx.AddOutbox(row(d.Ref, 1, t0))
		}
		return nil
	})
	r := row("DRP-2026-0001", 1, t0)
	s.BeginAttempt(r.MessageID, t0)
	s.Finish(r.MessageID, t0, "", false)
	n, err := s.Purge(t0.AddDate(0, 6, 0))
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	s.Close()
	// Nothing of the purged dispute remains in any bucket.
	db, _ := bolt.Open(path, 0o600, nil)
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if sub := b.Bucket(k); sub != nil {
					if bytes.Contains(k, []byte("DRP-2026-0001")) {
						t.Errorf("bucket %s/%s remains", name, k)
					}
					return nil
				}
				for _, needle := range []string{"DRP-2026-0001", "drp-2026-0001", "7777777"} {
					if bytes.Contains(k, []byte(needle)) || bytes.Contains(v, []byte(needle)) {
						t.Errorf("%s: %q=%q keeps %s", name, k, v, needle)
					}
				}
				return nil
			})
		})
	})
	s = &Store{db: db}
	s.View(func(tx *Tx) error {
		for _, ref := range []string{"DRP-2026-0002", "DRP-2026-0003"} {
			if _, err := tx.Dispute(ref); err != nil {
				t.Errorf("%s purged too: %v", ref, err)
			}
		}
		return nil
	})
}

func TestBackupWhileWriting(t *testing.T) {
	s := open(t, tmpPath(t))
	defer s.Close()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s.Update(func(tx *Tx) error {
				ref, _ := tx.NewRef(t0)
				return tx.PutDispute(dispute(ref, "1"), t0)
			})
		}
	}()
	time.Sleep(20 * time.Millisecond)
	dst := filepath.Join(t.TempDir(), "backup.db")
	n, err := s.BackupFile(dst)
	close(stop)
	wg.Wait()
	if err != nil || n == 0 {
		t.Fatalf("backup %d %v", n, err)
	}
	if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", fi.Mode().Perm())
	}
	b := open(t, dst)
	defer b.Close()
	b.View(func(tx *Tx) error {
		count := 0
		tx.ForEachDispute(func(engine.Dispute) error { count++; return nil })
		if count == 0 {
			t.Error("backup holds no disputes")
		}
		return nil
	})
}

func TestConcurrent(t *testing.T) {
	s := open(t, tmpPath(t))
	defer s.Close()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				s.Update(func(tx *Tx) error {
					ref, _ := tx.NewRef(t0)
					tx.PutDispute(dispute(ref, fmt.Sprint(w)), t0.Add(time.Duration(i)*time.Minute))
					return tx.AddOutbox(row(ref, 1, t0))
				})
				s.View(func(tx *Tx) error { tx.Due(t0.Add(time.Hour)); return nil })
			}
		}(w)
	}
	wg.Wait()
	s.View(func(tx *Tx) error {
		if tx.OutboxLen() != 400 {
			t.Errorf("outbox %d, want 400 (every ref unique)", tx.OutboxLen())
		}
		return nil
	})
}

func TestRejects(t *testing.T) {
	s := open(t, tmpPath(t))
	defer s.Close()
	s.Update(func(tx *Tx) error {
		return tx.AddReject(Reject{Folder: "INBOX", UIDValidity: 1, UID: 9, MessageID: "<bad@x>", Error: "parser: malformed", At: t0})
	})
	s.View(func(tx *Tx) error {
		r, err := tx.Rejects()
		if err != nil || len(r) != 1 || r[0].UID != 9 {
			t.Errorf("rejects %+v %v", r, err)
		}
		return nil
	})
}

// TestBackupFromRunningDaemon: the daemon holds the file; drpbot backup
// gets a consistent copy through the daemon's socket.
func TestBackupFromRunningDaemon(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.db")
	s := open(t, path)
	defer s.Close()
	s.Update(func(tx *Tx) error { return tx.PutDispute(dispute("DRP-2026-0001", "1"), t0) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ServeBackups(ctx, SocketPath(path)) }()
	dst := filepath.Join(dir, "copy.db")
	var n int64
	var err error
	for i := 0; i < 100; i++ { // wait for the socket to listen
		if n, err = BackupPath(path, dst); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil || n == 0 {
		t.Fatalf("backup: %d %v", n, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if _, err := os.Stat(SocketPath(path)); !os.IsNotExist(err) {
		t.Error("socket left behind")
	}
	c := open(t, dst)
	defer c.Close()
	c.View(func(tx *Tx) error {
		if _, err := tx.Dispute("DRP-2026-0001"); err != nil {
			t.Error(err)
		}
		return nil
	})
	// Without a daemon the copy is made directly.
	s.Close()
	if _, err := BackupPath(path, filepath.Join(dir, "direct.db")); err != nil {
		t.Error(err)
	}
}

// TestOpenSnapshotWhileHeld: list and show read a snapshot through the
// daemon when it holds the file.
func TestOpenSnapshotWhileHeld(t *testing.T) {
	path := tmpPath(t)
	s := open(t, path)
	defer s.Close()
	s.Update(func(tx *Tx) error { return tx.PutDispute(dispute("DRP-2026-0007", "1"), t0) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.ServeBackups(ctx, SocketPath(path))
	var snap *Store
	var done func()
	var err error
	for i := 0; i < 100; i++ {
		if snap, done, err = OpenSnapshot(path); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	snap.View(func(tx *Tx) error {
		if _, err := tx.Dispute("DRP-2026-0007"); err != nil {
			t.Error(err)
		}
		return nil
	})
	if _, _, err := OpenSnapshot(filepath.Join(t.TempDir(), "none.db")); err == nil {
		t.Error("a missing store opened")
	}
}

func TestBeginAttemptsDailyLimit(t *testing.T) {
	s := open(t, tmpPath(t))
	defer s.Close()
	var ids []string
	s.Update(func(tx *Tx) error {
		for i := 1; i <= 3; i++ {
			r := row("DRP-2026-0001", i, t0)
			ids = append(ids, r.MessageID)
			if err := tx.AddOutbox(r); err != nil {
				return err
			}
		}
		return nil
	})
	b, err := s.BeginAttempts(ids, "2026-11-02", 2, func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) })
	if err != nil || len(b.Begun) != 2 || len(b.Capped) != 1 {
		t.Fatalf("batch %+v %v", b, err)
	}
	if !b.Begun[0].InFlight || b.Begun[0].Attempts != 1 || !b.Begun[0].NextAttempt.Equal(t0.Add(time.Minute)) {
		t.Errorf("begun %+v", b.Begun[0])
	}
	c := b.Capped[0]
	if c.Row.Attempts != 0 || !c.Row.NextAttempt.Equal(t0) || len(c.Over) != 1 || c.Over[0] != c.Row.To[0] {
		t.Errorf("capped %+v", c)
	}
	// A retry of a counted email is not counted again.
	b, _ = s.BeginAttempts(ids[:1], "2026-11-02", 2, func(n int) time.Time { return t0 })
	if len(b.Begun) != 1 || b.Begun[0].Attempts != 2 {
		t.Errorf("retry %+v", b)
	}
	// Bundled for the person over the limit, the row goes to the history:
	// nobody else was to get it.
	err = s.Update(func(tx *Tx) error {
		_, err := tx.Bundle(ids[2], c.Over, "<digest@x>", t0)
		return err
	})
	s.View(func(tx *Tx) error {
		if r, _ := tx.Outboxed(ids[2]); err != nil || r.Sent.IsZero() || r.Bundled != "<digest@x>" || tx.OutboxLen() != 2 {
			t.Errorf("bundled %+v (%v)", r, err)
		}
		return nil
	})
}

// TestOpenIndex: ForEachOpenBrief reads the open disputes only, follows a
// dispute as it closes, and a file from before the index (schema 1) gets
// it built on Open, Purge included.
func TestOpenIndex(t *testing.T) {
	path := tmpPath(t)
	s := open(t, path)
	old := dispute("DRP-2026-0001", "1000001")
	old.Status, old.Closed = engine.Resolved, t0
	later := dispute("DRP-2026-0002", "1000002") // open now, closed below
	open3 := dispute("DRP-2026-0003", "1000003")
	open3.Team, open3.Respondent, open3.Cover, open3.Due = "North", "pl@c.example", "dpl@c.example", workdays.Date{Year: 2026, Month: 11, Day: 9}
	s.Update(func(tx *Tx) error {
		for _, d := range []engine.Dispute{old, later, open3} {
			if err := tx.PutDispute(d, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
	openRefs := func(s *Store) []string {
		var refs []string
		s.View(func(tx *Tx) error {
			return tx.ForEachOpenBrief(func(d engine.Dispute) error { refs = append(refs, d.Ref); return nil })
		})
		return refs
	}
	if got := openRefs(s); fmt.Sprint(got) != "[DRP-2026-0002 DRP-2026-0003]" {
		t.Errorf("open: %v", got)
	}
	later.Status, later.Closed = engine.Closed, t0.AddDate(0, 2, 0)
	s.Update(func(tx *Tx) error { return tx.PutDispute(later, time.Time{}) })
	if got := openRefs(s); fmt.Sprint(got) != "[DRP-2026-0003]" {
		t.Errorf("open after one closed: %v", got)
	}
	// The brief carries what the digest, Status and list --open read.
	s.View(func(tx *Tx) error {
		return tx.ForEachOpenBrief(func(d engine.Dispute) error {
			want := engine.Dispute{Ref: open3.Ref, ChildRef: open3.ChildRef, Instigator: open3.Instigator, Team: open3.Team, Stage: open3.Stage,
				Respondent: open3.Respondent, Cover: open3.Cover, Status: open3.Status, Due: open3.Due}
			if !reflect.DeepEqual(d, want) {
				t.Errorf("brief %+v, want %+v", d, want)
			}
			return nil
		})
	})
	since := func(from time.Time) []string {
		var refs []string
		s.View(func(tx *Tx) error {
			return tx.ForEachSince(from, func(d engine.Dispute) error { refs = append(refs, d.Ref); return nil })
		})
		return refs
	}
	if got := since(t0.AddDate(0, 1, 0)); fmt.Sprint(got) != "[DRP-2026-0002 DRP-2026-0003]" {
		t.Errorf("since a month on: %v", got)
	}
	if got := since(t0); fmt.Sprint(got) != "[DRP-2026-0001 DRP-2026-0002 DRP-2026-0003]" {
		t.Errorf("since the first closed: %v", got)
	}
	s.Close()

	// Back to schema 1: no indexes.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		tx.DeleteBucket(bOpen)
		tx.DeleteBucket(bClosed)
		return tx.Bucket(bMeta).Put([]byte("schema"), u64(1))
	})
	db.Close()
	s = open(t, path)
	defer s.Close()
	if got := openRefs(s); fmt.Sprint(got) != "[DRP-2026-0003]" {
		t.Errorf("open after migrating: %v", got)
	}
	// Closed before the cutoff: the first only; then the second too.
	if n, err := s.Purge(t0.AddDate(0, 1, 0)); err != nil || n != 1 {
		t.Errorf("purged %d, %v", n, err)
	}
	if n, err := s.Purge(t0.AddDate(0, 3, 0)); err != nil || n != 1 {
		t.Errorf("purged %d, %v", n, err)
	}
	s.View(func(tx *Tx) error {
		for ref, want := range map[string]bool{"DRP-2026-0001": false, "DRP-2026-0002": false, "DRP-2026-0003": true} {
			if _, err := tx.Dispute(ref); (err == nil) != want {
				t.Errorf("%s kept: %v, want %v", ref, err == nil, want)
			}
		}
		return nil
	})
}
