package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigPrintsProcedure: per stage, respondent, raiser, copies,
// alerts, window and on-lapse; Kirklees said loudly to be a starting point.
func TestCheckConfigPrintsProcedure(t *testing.T) {
	example, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DRPBOT_IMAP_PASSWORD", "x")
	t.Setenv("DRPBOT_SMTP_PASSWORD", "y")
	for preset, want := range map[string][]string{
		"brighton-hove": {
			"Level 2\n    respondent service_manager; raiser iro_manager (cc)\n    copies -; alerts head_of_childrens_delivery\n    window 5 working days; on lapse consult: tell the instigator and the raiser, copying head_of_safeguarding, every 2 working days; move only on an instruction",
			"Cafcass referral: proposed to the IRO and head_of_safeguarding, never made by drpbot",
			"alerts dcs, chief_executive when the referral is recorded",
			"window 4 working days; on lapse escalate to Level 4",
		},
		"wakefield": {
			`Stage 1  heading "Stage 1 IRO Formal Dispute Form"`,
			"copies team_manager, iro_manager, service_lead_sru, service_manager_sru; alerts -",
		},
		"oxfordshire": {"Stage 3\n    respondent deputy_director; raiser the instigator (IRO / CP Chair) (cc)\n    copies -; alerts safeguarding_manager\n    window no window; the alert's own due date wins (agreed timescale); on lapse escalate"},
		"newham": {"only for instigators holding iro; otherwise told instead: instigator_manager",
			"Stage 1\n    respondent practice_lead; raiser the instigator (IRO / CP Chair) (cc)\n    copies the shared mailbox (Cc); alerts -\n    window 5 working days; on lapse escalate to Stage 2",
			"copies operations_director, head_of_service; alerts -\n    window 5 working days; on lapse propose the Cafcass referral; drpbot never makes it",
			"alerts dcs when the referral is recorded",
			"resolved here: the confirmation copies iro_manager, qa"},
		"kirklees": {"!!! policy kirklees is a STARTING POINT"},
	} {
		cfg := strings.Replace(string(example), `preset = "newham"`, `preset = "`+preset+`"`, 1)
		path := filepath.Join(t.TempDir(), "config.toml")
		os.WriteFile(path, []byte(cfg), 0o600)
		_, out, _ := runCLI(t, "check-config", "-c", path)
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: check-config lacks %q:\n%s", preset, w, out)
			}
		}
		if preset != "kirklees" && strings.Contains(out, "STARTING POINT") {
			t.Errorf("%s called a starting point", preset)
		}
	}
}

// TestCheckConfigMailboxCopyTrue: Newham s7 Stage 2 "cc to the LAC Request
// email box": check-config says the box is Cc'd only when copy_to_mailbox
// makes it so.
func TestCheckConfigMailboxCopyTrue(t *testing.T) {
	example, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DRPBOT_IMAP_PASSWORD", "x")
	t.Setenv("DRPBOT_SMTP_PASSWORD", "y")
	for mode, want := range map[string]string{
		"bcc": `copies the shared mailbox (Bcc: copy_to_mailbox is "bcc", the procedure says cc)`,
		"off": `the shared mailbox is not copied (copy_to_mailbox is "off", the procedure says cc)`,
	} {
		cfg := strings.Replace(string(example), `copy_to_mailbox = "cc"`, `copy_to_mailbox = "`+mode+`"`, 1)
		path := filepath.Join(t.TempDir(), "config.toml")
		os.WriteFile(path, []byte(cfg), 0o600)
		_, out, _ := runCLI(t, "check-config", "-c", path)
		if !strings.Contains(out, want) || strings.Contains(out, "(Cc)") {
			t.Errorf("copy_to_mailbox %s: check-config lacks %q or says (Cc):\n%s", mode, want, out)
		}
	}
}
