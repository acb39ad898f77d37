package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SocketPath is where a running daemon serves backups of the store at
// storePath: the file itself is locked while the daemon runs.
func SocketPath(storePath string) string { return storePath + ".backup.sock" }

// ServeBackups answers backup requests on a unix socket (mode 0600) until
// ctx ends: each connection receives the file's size (8 bytes, big-endian)
// and then a consistent copy, written from one read transaction.
func (s *Store) ServeBackups(ctx context.Context, socketPath string) error {
	_ = os.Remove(socketPath) // a socket left by a killed daemon
	l, err := net.Listen("unix", socketPath)
	if err != nil {
		return fmt.Errorf("store: backup socket: %w", err)
	}
	if err := os.Chmod(socketPath, 0o600); err != nil {
		l.Close()
		return fmt.Errorf("store: backup socket: %w", err)
	}
	var wg sync.WaitGroup
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	defer func() {
		wg.Wait()
		os.Remove(socketPath)
	}()
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("store: backup socket: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			_ = s.db.View(func(tx *bolt.Tx) error {
				var size [8]byte
				binary.BigEndian.PutUint64(size[:], uint64(tx.Size()))
				if _, err := conn.Write(size[:]); err != nil {
					return err
				}
				_, err := tx.WriteTo(conn)
				return err
			})
		}()
	}
}

// BackupFromSocket asks the daemon serving socketPath for a copy and
// writes it to dst (mode 0600) through a temporary file; a short copy is
// an error and leaves nothing under dst.
func BackupFromSocket(socketPath, dst string) (int64, error) {
	conn, err := net.Dial("unix", socketPath)
	if err != nil {
		return 0, fmt.Errorf("store: backup: is the daemon running? %w", err)
	}
	defer conn.Close()
	var size [8]byte
	if _, err := io.ReadFull(conn, size[:]); err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	want := int64(binary.BigEndian.Uint64(size[:]))
	return writeAtomic(dst, func(w io.Writer) (int64, error) {
		n, err := io.Copy(w, conn)
		if err == nil && n != want {
			err = fmt.Errorf("got %d of %d bytes", n, want)
		}
		return n, err
	})
}

// BackupPath copies the store at storePath to dst: directly when no daemon
// holds it, else through the daemon's backup socket.
// The copy is stamped with the time it was taken (see MarkBackup), so that
// a store restored from it knows to look for what was sent since.
func BackupPath(storePath, dst string) (int64, error) {
	if _, err := os.Stat(storePath); err != nil {
		return 0, fmt.Errorf("store: backup: %w", err) // never create an empty store to copy
	}
	taken := time.Now()
	s, err := Open(storePath)
	var n int64
	switch {
	case errors.Is(err, ErrLocked):
		n, err = BackupFromSocket(SocketPath(storePath), dst)
	case err != nil:
		return 0, err
	default:
		n, err = s.BackupFile(dst)
		s.Close()
	}
	if err != nil {
		return n, err
	}
	return n, MarkBackup(dst, taken)
}

// OpenSnapshot opens the store at storePath for reading: the file itself
// when no daemon holds it, else a consistent copy fetched from the running
// daemon's backup socket. close releases it (and removes the copy).
func OpenSnapshot(storePath string) (s *Store, close func(), err error) {
	if _, err := os.Stat(storePath); err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	s, err = Open(storePath)
	if err == nil {
		return s, func() { s.Close() }, nil
	}
	if !errors.Is(err, ErrLocked) {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "drpbot-snapshot-")
	if err != nil {
		return nil, nil, err
	}
	copyPath := dir + "/snapshot.db"
	if _, err := BackupFromSocket(SocketPath(storePath), copyPath); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	s, err = Open(copyPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return s, func() { s.Close(); os.RemoveAll(dir) }, nil
}
