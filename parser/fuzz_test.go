package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds the parser mutations of every fixture. It must never
// panic (Parse recovers, so a recovered panic is reported as a failure
// here) and always return facts or ErrNoMessage. A hang shows as the
// fuzzer's executions per second falling to zero.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	opts := DefaultOptions()
	opts.MaxMessageBytes = 1 << 20
	p := New(opts)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := p.ParseBytes(data)
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("recovered panic: %v", err)
		}
		if m == nil && err == nil {
			t.Fatal("nil message without an error")
		}
		if m != nil && m.Stage != nil && (*m.Stage < 0 || *m.Stage > 5) {
			t.Fatalf("stage %d out of range", *m.Stage)
		}
	})
}
