package store

import (
	"bytes"
	"encoding/json"
	"time"
)

// ImportState is how far the import of a folder's history has come. It is
// written in the same transaction as each batch of imported messages, so
// an import killed at any moment resumes at the last batch boundary and
// ends with the same store as one never interrupted.
type ImportState struct {
	// Started is when the import began: the switch-on.
	Started time.Time `json:"started"`
	// Since is the oldest date imported ([imap] start or import --since);
	// zero for the whole history.
	Since time.Time `json:"since,omitzero"`
	// At and UID are the last message imported, in the import's order
	// (date, then UID); zero before the first batch.
	At  time.Time `json:"at,omitzero"`
	UID uint32    `json:"uid,omitempty"`
	// Counters for the onboarding summary.
	Read      int `json:"read"`      // messages in the folder's history
	Older     int `json:"older"`     // before Since: ignored
	Relevant  int `json:"relevant"`  // read in full as possible dispute mail
	Own       int `json:"own"`       // drpbot's own mail, recognised as such
	Redated   int `json:"redated"`   // whose Date header was wrong and was corrected
	Rejected  int `json:"rejected"`  // could not be read
	Processed int `json:"processed"` // went to a dispute
}

// Importing reports whether any folder's import is under way (or was
// interrupted and not yet resumed): the scheduler sends nothing meanwhile.
func (t *Tx) Importing() bool {
	importing := false
	_ = t.tx.Bucket(bCheckpoint).ForEach(func(_, v []byte) error {
		if bytes.Contains(v, []byte(`"import"`)) {
			var c Checkpoint
			if json.Unmarshal(v, &c) == nil && c.Import != nil {
				importing = true
			}
		}
		return nil
	})
	return importing
}
