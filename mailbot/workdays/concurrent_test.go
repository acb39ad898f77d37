package workdays

import (
	"sync"
	"testing"
)

// TestConcurrentReaders: the watcher, the ticker and a query read one
// Calendar at once. rickar/cal's holiday cache is a map written on every
// miss (and emptied when full), so unguarded this is a concurrent map write
// (a fatal error, not a recoverable panic) and a data race under -race.
func TestConcurrentReaders(t *testing.T) {
	c, err := New(EnglandWales, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Date]string{}
	for y := 2020; y <= 2031; y++ {
		for _, h := range c.NonWorkingDays(y) {
			want[h.Date] = h.Name
		}
	}
	c2, _ := New(EnglandWales, nil) // a cold cache for the race
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each goroutine walks twelve years from its own start, so
			// the cache misses, fills past its cap and is evicted from
			// while the others read it.
			for i := 0; i < 12*366; i++ {
				d := Date{2020 + g%4, 1, 1}.AddDays(i * (g + 1) % (12 * 366))
				name := c2.NonWorking(d)
				if w, ok := want[d]; ok && name != w {
					t.Errorf("%s: %q, want %q", d, name, w)
					return
				}
			}
		}()
	}
	wg.Wait()
}
