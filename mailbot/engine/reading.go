package engine

// MaybeAway is the email that tells the instigator a reply from the
// respondent read like an out-of-office without being marked as one, so it
// was recorded and not counted as the response (issue 14; mailbot's
// reading.go sends it). The engine itself never emits it.
const MaybeAway Purpose = "maybe_away"

func init() { Purposes = append(Purposes, MaybeAway) }
