package templates

// Held is one message drpbot recorded but did not act on, for the QA
// inbox: who sent it, what it would have been, why it was not acted on.
// It never carries the message's text.
type Held struct {
	At, From, What, Why string
	// Ref is the dispute the message named or threaded into, "" for none.
	Ref string
}
