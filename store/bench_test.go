package store

import (
	"fmt"
	"testing"
	"time"
)

func BenchmarkInsert(b *testing.B) {
	s := open(b, tmpPath(b))
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		err := s.Update(func(tx *Tx) error {
			ref, err := tx.NewRef(t0)
			if err != nil {
				return err
			}
			if err := tx.PutDispute(dispute(ref, "1234567"), t0.Add(time.Hour)); err != nil {
				return err
			}
			_, err = tx.AppendEvent(ref, Event{At: t0, Kind: "alert", MessageID: "<" + ref + "@x>"})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdate(b *testing.B) {
	s := open(b, tmpPath(b))
	defer s.Close()
	s.Update(func(tx *Tx) error { return tx.PutDispute(dispute("DRP-2026-0001", "1"), t0) })
	i := 0
	for b.Loop() {
		i++
		err := s.Update(func(tx *Tx) error {
			d, err := tx.Dispute("DRP-2026-0001")
			if err != nil {
				return err
			}
			d.Seq++
			if err := tx.PutDispute(d, t0.Add(time.Duration(i)*time.Second)); err != nil {
				return err
			}
			return tx.AddOutbox(row(d.Ref, d.Seq, t0))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTickRead reads the due disputes when 100 of N are due: the cost
// must follow the 100, not N.
func BenchmarkTickRead(b *testing.B) {
	for _, total := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("total=%d/due=100", total), func(b *testing.B) {
			s := open(b, tmpPath(b))
			defer s.Close()
			for start := 0; start < total; start += 5000 {
				s.Update(func(tx *Tx) error {
					for i := start; i < min(start+5000, total); i++ {
						next := t0.Add(time.Duration(i+1) * time.Hour) // not due
						if i%(total/100) == 0 {
							next = t0.Add(-time.Duration(i+1) * time.Second) // due
						}
						if err := tx.PutDispute(dispute(fmt.Sprintf("DRP-2026-%06d", i), "1"), next); err != nil {
							return err
						}
					}
					return nil
				})
			}
			b.ResetTimer()
			for b.Loop() {
				s.View(func(tx *Tx) error {
					refs := tx.Due(t0)
					if len(refs) != 100 {
						b.Fatalf("%d due", len(refs))
					}
					for _, ref := range refs {
						if _, err := tx.Dispute(ref); err != nil {
							b.Fatal(err)
						}
					}
					return nil
				})
			}
		})
	}
}
