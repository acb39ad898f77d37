package mailbot

import (
	"io"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func scrape(t *testing.T, b *Bot) string {
	t.Helper()
	srv := httptest.NewServer(b.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// TestDisputeMetrics: open and overdue disputes by stage, every stage of
// the policy present even at zero, and the build.
func TestDisputeMetrics(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	raise(t, w, "<dm-1@drpbot.test>", "6161616")
	raise(t, w, "<dm-2@drpbot.test>", "6262626")
	s1, s2 := w.bot.Policy().StageName(1), w.bot.Policy().StageName(2)
	w.at(3, 9)
	body := scrape(t, w.bot)
	for _, want := range []string{
		`drpbot_disputes_open{stage="1",stage_name="` + s1 + `",status="open"} 2`,
		`drpbot_disputes_open{stage="2",stage_name="` + s2 + `",status="open"} 0`,
		`drpbot_disputes_overdue{stage="1",stage_name="` + s1 + `"} 0`,
		`drpbot_build_info{goversion="` + runtime.Version() + `"`,
		`drpbot_config_reloads_total 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	w.at(16, 9) // stage 1's five working days are long past; no tick has run
	body = scrape(t, w.bot)
	if want := `drpbot_disputes_overdue{stage="1",stage_name="` + s1 + `"} 2`; !strings.Contains(body, want) {
		t.Errorf("metrics lack %s:\n%s", want, body)
	}
}

// TestREADMEListsEveryMetric: the README's table names every metric
// /metrics serves.
func TestREADMEListsEveryMetric(t *testing.T) {
	w := newWorld(t, false, "newham")
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile(`(?m)^# TYPE (drpbot_\w+)`).FindAllStringSubmatch(scrape(t, w.bot), -1)
	if len(names) < 10 {
		t.Fatalf("only %d metrics served", len(names))
	}
	for _, m := range names {
		if !regexp.MustCompile("`" + m[1] + "[`{]").Match(readme) {
			t.Errorf("README.md does not list %s", m[1])
		}
	}
}
