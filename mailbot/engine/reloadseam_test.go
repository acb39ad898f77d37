package engine

import (
	"testing"

	"github.com/drpbot/drpbot/mailbot/policy"
)

// A SIGHUP may change the preset under disputes in flight: a dispute at a
// stage the new policy lacks (Brighton & Hove's Level 6 under Newham's
// five stages) still ticks, escalates, answers and closes without a panic.
func TestStageTheNewPolicyLacks(t *testing.T) {
	for _, from := range policy.Presets() {
		old := world(t, from, "", false)
		for _, st := range old.Policy.Stages {
			n := st.Number
			d, _, err := Apply(Dispute{Ref: "DRP-2026-0001"}, Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr(st.Respondent)}, Stage: &n}, old)
			if err != nil {
				t.Fatalf("%s stage %d: %v", from, n, err)
			}
			for _, to := range policy.Presets() {
				env := world(t, to, "", false)
				for _, ev := range []Event{tick(at(20, 9)), {Kind: Command, At: at(20, 9), From: iro, Command: "escalate"},
					{Kind: Command, At: at(20, 9), From: iro, Command: "stage 2"}, {Kind: Response, At: at(20, 9), From: d.Respondent},
					{Kind: AutoReply, At: at(20, 9), From: d.Respondent}, {Kind: Command, At: at(20, 9), From: iro, Command: "status"},
					tick(at(60, 9))} {
					env.Now = ev.At
					func() {
						defer func() {
							if r := recover(); r != nil {
								t.Errorf("%s stage %d under %s, %s %s: panic %v", from, n, to, ev.Kind, ev.Command, r)
							}
						}()
						Apply(d, ev, env)
						NextAction(d, env)
					}()
				}
			}
		}
	}
}
