package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged is returned by Open for a file that is not a whole, consistent
// store: empty, cut short, or with pages that do not read. drpbot refuses
// to start on it rather than crash on it later (a read past the end of a
// truncated file is a SIGBUS) or, worse, take it for a new store and send
// every acknowledgement again.
var ErrDamaged = errors.New("store: file is damaged")

// FullCheckLimit is the largest file Open reads whole each time (every
// reachable page, then bbolt's own consistency check): about 8,000
// disputes, a quarter of a second at the ~550 MB/s BenchmarkOpenCheck
// measures, paid by every command that opens the store. A larger file gets
// the cheap checks only (both meta pages, the size they record, the
// schema); `drpbot backup` still reads every page of it.
var FullCheckLimit int64 = 128 << 20

// damaged wraps ErrDamaged with what was found and how to restore.
func damaged(path, what string) error {
	return fmt.Errorf("%w: %s: %s.\n"+
		"drpbot will not start on it. Restore the last backup (see README, Backup and restore):\n"+
		"  systemctl stop drpbot\n"+
		"  mv %s %s.damaged\n"+
		"  cp /path/to/backup.db %s\n"+
		"  systemctl start drpbot\n"+
		"and keep %s.damaged for investigation",
		ErrDamaged, path, what, path, path, path, path)
}

// bbolt's on-disk meta page (go.etcd.io/bbolt/internal/common/meta.go): a
// 16-byte page header, then magic, version, page size, flags, the root
// bucket (root page, sequence), the freelist page, the high-water page id,
// the transaction id and an FNV-64a checksum of everything before it, in
// the machine's byte order (little-endian on every platform drpbot ships
// for).
const (
	boltMagic     = 0xED0CDAED
	boltVersion   = 2
	pageHeader    = 16
	metaSumOffset = 56 // bytes of the meta the checksum covers
)

type meta struct {
	pageSize uint32
	hwm      uint64 // the first page id never allocated
	txid     uint64
}

func readMeta(b []byte) (meta, bool) {
	if len(b) < pageHeader+metaSumOffset+8 {
		return meta{}, false
	}
	m := b[pageHeader:]
	le := binary.LittleEndian
	h := fnv.New64a()
	h.Write(m[:metaSumOffset])
	if le.Uint32(m[0:]) != boltMagic || le.Uint32(m[4:]) != boltVersion || h.Sum64() != le.Uint64(m[metaSumOffset:]) {
		return meta{}, false
	}
	return meta{pageSize: le.Uint32(m[8:]), hwm: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}, true
}

// preflight checks an existing file before bbolt maps it: not empty, at
// least one valid meta page, and as long as that meta page says. It returns
// the file's size (0 when there is no file yet: a new store) and whether
// both meta pages are valid. bbolt keeps two so that a torn write of one
// (a power cut) loses nothing; it reads the other, and so does drpbot.
func preflight(path string) (size int64, bothMetas bool, err error) {
	size, n, err := preflightMetas(path)
	return size, n == 2, err
}

func preflightMetas(path string) (int64, int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, fmt.Errorf("store: open %s: %w", path, err)
	}
	size := fi.Size()
	if size == 0 {
		// bbolt would quietly make a new store of it; a store file that
		// exists was written by drpbot and lost its contents.
		return 0, 0, damaged(path, "the file is empty (0 bytes)")
	}
	buf := make([]byte, 64<<10) // room for both meta pages at any page size up to 32 KiB
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, 0, fmt.Errorf("store: read %s: %w", path, err)
	}
	buf = buf[:n]
	var best meta
	found, valid := false, 0
	m0, ok0 := readMeta(buf)
	if ok0 {
		best, found, valid = m0, true, 1
	}
	// The second meta page sits one page in; its size comes from the
	// first, or, when that one is damaged, from the usual sizes.
	sizes := []uint32{4096, 8192, 16384, 32768}
	if ok0 {
		sizes = []uint32{m0.pageSize}
	}
	for _, ps := range sizes {
		if int(ps) >= len(buf) {
			continue
		}
		if m1, ok := readMeta(buf[ps:]); ok && m1.pageSize == ps {
			if !found || m1.txid > best.txid {
				best = m1
			}
			found = true
			valid++
			break
		}
	}
	if !found {
		return 0, 0, damaged(path, "neither of its two header (meta) pages is readable: not a bbolt file, or overwritten")
	}
	if need := int64(best.hwm) * int64(best.pageSize); size < need {
		return 0, 0, damaged(path, fmt.Sprintf("the file is cut short: %d bytes, but its header says %d (truncated by a full disk or a failed copy?)", size, need))
	}
	return size, valid, nil
}

// checkPages reads every key of every bucket and then runs bbolt's own
// consistency check (page types, references, key order, freelist). A fault
// on a mapped page (SIGBUS past the end of a file, a pointer out of the
// map) becomes a panic here, and then an error, instead of killing the
// process.
func checkPages(db *bolt.DB, path string, bothMetas bool) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged(path, fmt.Sprintf("a page does not read (%v)", r))
		}
	}()
	var problems []error
	verr := db.View(func(tx *bolt.Tx) error {
		var walk func(b *bolt.Bucket) error
		walk = func(b *bolt.Bucket) error {
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if v == nil {
					if child := b.Bucket(k); child != nil {
						if err := walk(child); err != nil {
							return err
						}
					}
				}
			}
			return nil
		}
		if err := tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walk(b) }); err != nil {
			return err
		}
		// Every reachable page has been read above, so bbolt's check
		// (which runs in a goroutine of its own) reads only pages that
		// are known to be mapped. It asserts that both meta pages are
		// whole, so it is left out when one is torn (bbolt reads the
		// other, and rewrites the torn one on the next commit).
		if !bothMetas {
			return nil
		}
		for e := range tx.Check() { // drained to the end: the check's goroutine must finish inside this transaction
			problems = append(problems, e)
		}
		return nil
	})
	if verr != nil {
		return damaged(path, fmt.Sprintf("reading it failed: %v", verr))
	}
	if len(problems) > 0 {
		return damaged(path, fmt.Sprintf("bbolt's consistency check found %d problem(s), the first: %v", len(problems), problems[0]))
	}
	return nil
}

// checkSchema refuses a file whose version record is gone while it holds
// disputes: migrating it as a new file would hide the damage.
func checkSchema(db *bolt.DB, path string) error {
	return db.View(func(tx *bolt.Tx) error {
		if schemaOf(tx) != 0 {
			return nil
		}
		if b := tx.Bucket(bDisputes); b != nil {
			if k, _ := b.Cursor().First(); k != nil {
				return damaged(path, "it holds disputes but its schema record is missing")
			}
		}
		return nil
	})
}

// openBolt is bolt.Open with a panic on a damaged page (bbolt asserts
// while loading the freelist) turned into ErrDamaged.
func openBolt(path string) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, damaged(path, fmt.Sprintf("bbolt could not open it (%v)", r))
		}
	}()
	return bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
}
