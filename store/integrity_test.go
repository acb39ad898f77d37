package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/drpbot/drpbot/mailbot/engine"
)

// filledStore writes n disputes with an event and an outbox row each, so
// the file spans many pages, and returns its path, closed.
func filledStore(t *testing.T, n int) string { return filledStoreB(t, n) }

func filledStoreB(t testing.TB, n int) string {
	t.Helper()
	path := tmpPath(t)
	s := open(t, path)
	for i := 0; i < n; i += 100 {
		err := s.Update(func(tx *Tx) error {
			for j := i; j < i+100 && j < n; j++ {
				ref := fmt.Sprintf("DRP-2026-%04d", j)
				d := dispute(ref, fmt.Sprintf("7%06d", j))
				d.AlertText = strings.Repeat("why the plan is not right ", 20)
				if err := tx.PutDispute(d, t0.Add(time.Duration(j)*time.Minute)); err != nil {
					return err
				}
				if _, err := tx.AppendEvent(ref, Event{At: t0, Kind: "alert", MessageID: fmt.Sprintf("<a%d@x>", j)}); err != nil {
					return err
				}
				if err := tx.AddOutbox(OutboxRow{MessageID: fmt.Sprintf("<o%d@x>", j), Ref: ref, To: []string{"pl@c.example"}, Subject: "s", Text: "t", Created: t0}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	return path
}

// readAll opens path and reads every dispute, as a tick or a report would.
func readAll(path string) error {
	s, err := Open(path)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.View(func(tx *Tx) error { return tx.ForEachDispute(func(engine.Dispute) error { return nil }) })
}

func wantDamaged(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("%s: %v, want ErrDamaged", what, err)
	}
	// The error tells the operator what to do.
	for _, want := range []string{"Restore the last backup", "cp /path/to/backup.db"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: the error does not say %q: %v", what, want, err)
		}
	}
}

// TestOpenRefusesEmptyFile: a 0-byte store file (lost by a failed copy or
// a full disk) is refused, and not silently made a new store.
func TestOpenRefusesEmptyFile(t *testing.T) {
	path := filledStore(t, 10)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	wantDamaged(t, err, "empty file")
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Errorf("the empty file was written to: %d bytes", fi.Size())
	}
	// A file that does not exist is a new store, as ever.
	fresh := tmpPath(t)
	if err := readAll(fresh); err != nil {
		t.Errorf("a new store: %v", err)
	}
	// And that new store opens again.
	if err := readAll(fresh); err != nil {
		t.Errorf("a new store reopened: %v", err)
	}
}

// TestOpenRefusesTruncatedFile: a store cut short is refused with a clear
// error instead of a SIGBUS when a read reaches past the end (a crash loop
// under systemd).
func TestOpenRefusesTruncatedFile(t *testing.T) {
	path := filledStore(t, 2000)
	fi, _ := os.Stat(path)
	// bbolt grows the file ahead of use: what it has used ends at the
	// high-water mark its meta page records.
	var used int64
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error { used = tx.Size(); return nil })
	db.Close()
	for _, limit := range []int64{FullCheckLimit, 0} {
		// Also for a file too large to read whole on open: the size check
		// alone finds it.
		defer func(old int64) { FullCheckLimit = old }(FullCheckLimit)
		FullCheckLimit = limit
		for _, keep := range []int64{fi.Size() / 2, used - 4096, 3 * 4096} {
			cut := path + fmt.Sprint(keep)
			copyFile(t, path, cut)
			if err := os.Truncate(cut, keep); err != nil {
				t.Fatal(err)
			}
			wantDamaged(t, readAll(cut), fmt.Sprintf("cut to %d of %d bytes, full check up to %d", keep, fi.Size(), limit))
		}
	}
	if err := readAll(path); err != nil {
		t.Errorf("the whole file: %v", err)
	}
}

// TestOpenRefusesGarbagePage: a page of garbage in a page in use is found
// on open (bbolt's consistency check), not by ticks failing one dispute at
// a time later; garbage anywhere else never crashes Open.
func TestOpenRefusesGarbagePage(t *testing.T) {
	path := filledStore(t, 2000)
	// The disputes bucket's root page is in use for certain.
	var root, pageSize, hwm int
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error {
		root = int(tx.Bucket(bDisputes).Root())
		pageSize = db.Info().PageSize
		hwm = int(tx.Size()) / pageSize
		return nil
	})
	db.Close()
	garble := func(dst string, page int, seed uint64) {
		copyFile(t, path, dst)
		f, err := os.OpenFile(dst, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		junk := make([]byte, pageSize)
		r := rand.New(rand.NewPCG(seed, uint64(page)))
		for i := range junk {
			junk[i] = byte(r.UintN(256))
		}
		if _, err := f.WriteAt(junk, int64(page*pageSize)); err != nil {
			t.Fatal(err)
		}
	}
	dst := path + ".root"
	garble(dst, root, 1)
	wantDamaged(t, readAll(dst), "garbage over the disputes' root page")

	// Both meta pages: not a store any more.
	dst = path + ".meta"
	garble(dst, 0, 2)
	f, _ := os.OpenFile(dst, os.O_RDWR, 0)
	f.WriteAt(make([]byte, pageSize), int64(pageSize))
	f.Close()
	wantDamaged(t, readAll(dst), "both meta pages overwritten")

	// One meta page only: bbolt keeps two for this, and the file opens.
	dst = path + ".meta0"
	garble(dst, 0, 3)
	if err := readAll(dst); err != nil {
		t.Errorf("one meta page overwritten: %v", err)
	}

	// Pages picked at random: Open either refuses the file or reads all of
	// it; it never crashes and never opens a file it cannot read.
	r := rand.New(rand.NewPCG(4, 4))
	refused := 0
	for i := 0; i < 12; i++ {
		page := 2 + r.IntN(max(1, hwm-2))
		dst := fmt.Sprintf("%s.p%d", path, page)
		garble(dst, page, uint64(i))
		err := readAll(dst)
		if err != nil && !errors.Is(err, ErrDamaged) {
			t.Errorf("garbage in page %d: %v", page, err)
		}
		if err != nil {
			refused++
		}
	}
	t.Logf("%d of 12 random garbage pages refused (the rest were free pages)", refused)
}

// TestOpenRefusesLostSchema: a file that holds disputes but lost its
// schema record is damaged, not a new store to migrate from version 0.
func TestOpenRefusesLostSchema(t *testing.T) {
	path := filledStore(t, 3)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Delete([]byte("schema")) })
	db.Close()
	wantDamaged(t, readAll(path), "schema record deleted")
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkOpenCheck is the cost of the checks Open makes on a store of
// 2,000 disputes (every page read, then bbolt's consistency check), in
// file bytes a second: FullCheckLimit divided by it is the worst start-up
// delay the check adds.
func BenchmarkOpenCheck(b *testing.B) {
	path := filledStoreB(b, 2000)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
