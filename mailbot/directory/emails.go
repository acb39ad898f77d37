package directory

// Emails lists everyone's address, in the order they were given; a reload
// compares two directories with it.
func (d *Directory) Emails() []string {
	if d == nil {
		return nil
	}
	out := make([]string, len(d.people))
	for i, p := range d.people {
		out[i] = p.Email
	}
	return out
}
