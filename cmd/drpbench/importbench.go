package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// imports: `drpbot import` of a generated three-year history beside
// mbsync mirroring the same mailbox, alternately, on a mailbox of small
// messages and on one with bulletins and attachments; each import is
// checked against the generator's ground truth and for what it queued
// (nothing but the summary). Then a mailbox whose alerts carry 25 MB
// attachments, for drpbot's peak memory.
func (e *env) imports(messages, disputes int, variants string) error {
	cal, err := workdays.New(workdays.EnglandWales, nil)
	if err != nil {
		return err
	}
	end := time.Now()
	for _, v := range []struct {
		label, user string
		attach      bool
	}{{"small messages", "benchhist@drpbot.test", false}, {"with attachments", "benchhista@drpbot.test", true}} {
		if variants != "" && !strings.Contains(variants, strings.Fields(v.label)[0]) {
			continue
		}
		msgs, truths := history(3, messages, disputes, end, v.attach, cal)
		size, err := fill(e.imap, v.user, e.password, msgs)
		if err != nil {
			return err
		}
		e.notes = append(e.notes, fmt.Sprintf("Import mailbox (%s): %d messages over three years, %d disputes, %.0f MB, mean %.0f KB a message.",
			v.label, len(msgs), len(truths), mb(size), float64(size)/float64(len(msgs))/1024))
		dir := filepath.Join(e.work, "import-"+strings.Fields(v.label)[0])
		os.RemoveAll(dir)
		db := filepath.Join(dir, "drpbot.db")
		cfg, err := e.writeConfig(dir, botConfig{user: v.user, store: db})
		if err != nil {
			return err
		}
		mirror := filepath.Join(dir, "mirror")
		mcfg, err := e.mbsyncConfig(dir, v.user, mirror)
		if err != nil {
			return err
		}
		// The same mirror with isync's fsync off: the target's yardstick.
		mtext, err := os.ReadFile(mcfg)
		if err != nil {
			return err
		}
		mcfgNoSync := filepath.Join(dir, "mbsyncrc-nofsync")
		if err := os.WriteFile(mcfgNoSync, append([]byte("FSync no\n\n"), mtext...), 0o600); err != nil {
			return err
		}
		var drpRuns, mbRuns, mbSyncRuns []run
		var check string
		for round := 0; round <= e.rounds; round++ {
			var m, mf run
			for _, c := range []struct {
				path string
				r    *run
			}{{mcfgNoSync, &m}, {mcfg, &mf}} {
				os.RemoveAll(mirror)
				os.MkdirAll(mirror, 0o700)
				if *c.r, err = timed("mbsync", "-c", c.path, "-q", "bench"); err != nil {
					return err
				}
				if n := countMaildir(filepath.Join(mirror, "INBOX")); n != len(msgs) {
					return fmt.Errorf("mbsync mirrored %d messages of %d", n, len(msgs))
				}
			}
			os.Remove(db)
			d, err := timed(e.bin, "import", "-c", cfg, "--send=false")
			if err != nil {
				return err
			}
			queued, exact, bad, err := checkImport(db, truths, cal)
			if err != nil {
				return err
			}
			check = fmt.Sprintf("%d of %d disputes exact", exact, len(truths))
			if len(bad) > 0 {
				check += "; first wrong: " + bad[0]
			}
			e.logf("import (%s) round %d: mbsync fsync off %s (%.0f MiB), fsync on %s, drpbot %s (%.0f MiB), queued %v, %s", v.label, round, m.wall.Round(time.Millisecond), mib(m.maxRSS), mf.wall.Round(time.Millisecond),
				d.wall.Round(time.Millisecond), mib(d.maxRSS), queued, check)
			if round == 0 {
				e.add(result{figure: fmt.Sprintf("Import (%s): emails queued before the summary", v.label), drpbot: fmt.Sprintf("%d, then %d summary", len(queued)-count(queued, "onboarding"), count(queued, "onboarding")),
					target: "0, then 1 summary", met: len(queued) == 1 && queued[0] == "onboarding"})
				e.add(result{figure: fmt.Sprintf("Import (%s): rebuilt states against the generator's ground truth", v.label), drpbot: check,
					target: "every dispute's status, stage and dates exact", met: len(bad) == 0})
				continue // and warm-up
			}
			mbRuns, mbSyncRuns, drpRuns = append(mbRuns, m), append(mbSyncRuns, mf), append(drpRuns, d)
		}
		dm, mm, mf := median(drpRuns), median(mbRuns), median(mbSyncRuns)
		e.add(result{
			figure: fmt.Sprintf("Import, %d messages, %d disputes over 3 years, %s (median of %d)", len(msgs), len(truths), v.label, e.rounds),
			drpbot: fmt.Sprintf("%s, peak %.0f MiB", secs(dm.wall), mib(maxRSS(drpRuns))),
			beside: fmt.Sprintf("mbsync fsync off %s, peak %.0f MiB (fsync on %s)", secs(mm.wall), mib(maxRSS(mbRuns)), secs(mf.wall)),
			ratio:  fmt.Sprintf("%.2fx", dm.wall.Seconds()/mm.wall.Seconds()),
			target: "drpbot < 0.5x mbsync with fsync off", met: dm.wall*2 < mm.wall,
		})
	}
	if variants != "" && !strings.Contains(variants, "big") {
		return nil
	}
	return e.bigAttachments(cal)
}

// bigAttachments imports a mailbox whose alerts each carry a 25 MB scan:
// drpbot reads their text parts only, so its peak memory stays that of a
// mailbox of small messages.
func (e *env) bigAttachments(cal *workdays.Calendar) error {
	const alerts = 8
	var msgs []msg
	at := time.Now().AddDate(0, -3, 0).Truncate(time.Second)
	for i := 0; i < alerts; i++ {
		at = cal.Add(workdays.In(at), 2, false).Time().Add(10 * time.Hour)
		child := fmt.Sprintf("%07d", 4000000+i)
		var b strings.Builder
		fmt.Fprintf(&b, "From: iro@drpbot.test\r\nTo: practice.lead@drpbot.test\r\nCc: lac@drpbot.test\r\nSubject: Dispute Resolution Alert - Stage 1 - %s\r\nDate: %s\r\nMessage-ID: <big%d@drpbot.test>\r\nMIME-Version: 1.0\r\n", child, at.Format(time.RFC1123Z), i)
		b.WriteString("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nChild's Azeus Number: " + child + "\r\nFORMAL STAGE 1\r\n\r\n--b\r\n")
		b.WriteString("Content-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		line := strings.Repeat("JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURlY29kZT4+", 2)[:76] + "\r\n"
		for n := 0; n < 25<<20; n += len(line) {
			b.WriteString(line)
		}
		b.WriteString("--b--\r\n")
		msgs = append(msgs, msg{at: at, raw: []byte(b.String()), id: fmt.Sprintf("<big%d@drpbot.test>", i), alert: true, thread: true})
	}
	user := "benchbig@drpbot.test"
	size, err := fill(e.imap, user, e.password, msgs)
	if err != nil {
		return err
	}
	dir := filepath.Join(e.work, "import-big")
	os.RemoveAll(dir)
	db := filepath.Join(dir, "drpbot.db")
	cfg, err := e.writeConfig(dir, botConfig{user: user, store: db})
	if err != nil {
		return err
	}
	mirror := filepath.Join(dir, "mirror")
	os.MkdirAll(mirror, 0o700)
	mcfg, err := e.mbsyncConfig(dir, user, mirror)
	if err != nil {
		return err
	}
	m, err := timed("mbsync", "-c", mcfg, "-q", "bench")
	if err != nil {
		return err
	}
	d, err := timed(e.bin, "import", "-c", cfg, "--send=false")
	if err != nil {
		return err
	}
	found := 0
	st, err := store.Open(db)
	if err != nil {
		return err
	}
	st.View(func(tx *store.Tx) error {
		for i := 0; i < alerts; i++ {
			found += len(tx.ByChild(fmt.Sprintf("%07d", 4000000+i)))
		}
		return nil
	})
	st.Close()
	e.add(result{
		figure: fmt.Sprintf("Import of %d alerts each with a 25 MB attachment (%.0f MB)", alerts, mb(size)),
		drpbot: fmt.Sprintf("%s, peak %.0f MiB, %d of %d disputes", secs(d.wall), mib(d.maxRSS), found, alerts),
		beside: fmt.Sprintf("mbsync %s, peak %.0f MiB", secs(m.wall), mib(m.maxRSS)),
		target: "no attachment fetched: peak as for small mail", met: found == alerts && d.maxRSS < 64<<20,
	})
	return nil
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// checkImport compares the imported store with the ground truth and
// lists the purposes of what is queued.
func checkImport(db string, truths map[string]truth, cal *workdays.Calendar) (queued []string, exact int, bad []string, err error) {
	st, err := store.Open(db)
	if err != nil {
		return nil, 0, nil, err
	}
	defer st.Close()
	rows, err := st.OutboxDue(time.Now().AddDate(10, 0, 0), 1<<20)
	if err != nil {
		return nil, 0, nil, err
	}
	for _, r := range rows {
		queued = append(queued, r.Purpose)
	}
	err = st.View(func(tx *store.Tx) error {
		for child, t := range truths {
			refs := tx.ByChild(child)
			if len(refs) != 1 {
				bad = append(bad, fmt.Sprintf("%s: %d disputes", child, len(refs)))
				continue
			}
			d, err := tx.Dispute(refs[0])
			if err != nil {
				return err
			}
			got := truth{status: string(d.Status), stage: d.Stage, opened: d.Opened, closed: d.Closed, due: d.Due, lapsed: d.Lapsed && d.Status == engine.Open}
			if got.status != t.status || got.stage != t.stage || !got.opened.Equal(t.opened) || !got.closed.Equal(t.closed) || got.due != t.due || got.lapsed != t.lapsed {
				bad = append(bad, fmt.Sprintf("%s: got %+v, want %+v", child, got, t))
				continue
			}
			exact++
		}
		return nil
	})
	return queued, exact, bad, err
}
