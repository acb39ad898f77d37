package mailbot

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestMetricsAndHealth(t *testing.T) {
	w := newWorld(t, false, "newham")
	srv := httptest.NewServer(w.bot.Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	w.now = time.Now()
	if code, _ := get("/healthz"); code != 503 {
		t.Errorf("healthy before any sync: %d", code)
	}
	w.at(2, 9)
	raise(t, w, "<m1@drpbot.test>", "4141414")
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz after a sync: %d %q", code, body)
	}
	_, body := get("/metrics")
	for _, want := range []string{"drpbot_alerts_total 1", "drpbot_emails_sent_total 1", "drpbot_outbox_depth 0", "drpbot_messages_seen_total 1", "drpbot_last_sync_timestamp_seconds "} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	w.now = w.now.Add(time.Hour)
	if code, _ := get("/healthz"); code != 503 {
		t.Errorf("healthy an hour after the last sync: %d", code)
	}
}
