// Package directory says who is who: each person's email, roles, team, line
// manager and deputy. The escalation engine asks it who sits at the next
// level; when the answer is not certain it says so and never guesses, since
// an escalation sent to the wrong director is worse than none.
package directory

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Sentinel errors.
var (
	// ErrNotFound means nobody holds the role where the search looked.
	ErrNotFound = errors.New("directory: no one found")
	// ErrAmbiguous means more than one person could be meant.
	ErrAmbiguous = errors.New("directory: more than one person found")
)

// Person is one member of staff.
type Person struct {
	Email   string   `toml:"email"`
	Name    string   `toml:"name"`
	Roles   []string `toml:"roles"`
	Team    string   `toml:"team"`
	Manager string   `toml:"manager"` // line manager's email; "" at the top
	Deputy  string   `toml:"deputy"`  // who covers when they are away; "" when nobody
}

// HasRole reports whether p holds role.
func (p Person) HasRole(role string) bool {
	for _, r := range p.Roles {
		if strings.EqualFold(r, role) {
			return true
		}
	}
	return false
}

// Directory is an immutable, validated set of people, safe for concurrent
// use. The zero value is an empty directory.
type Directory struct {
	byEmail map[string]*Person
	people  []*Person
}

func norm(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// New validates people and builds a Directory, reporting every problem.
func New(people []Person) (*Directory, error) {
	d := &Directory{byEmail: map[string]*Person{}}
	var errs []error
	for i := range people {
		p := people[i]
		p.Email = norm(p.Email)
		p.Manager = norm(p.Manager)
		p.Deputy = norm(p.Deputy)
		for j, r := range p.Roles {
			p.Roles[j] = strings.ToLower(strings.TrimSpace(r))
		}
		if p.Email == "" || !strings.Contains(p.Email, "@") {
			errs = append(errs, fmt.Errorf("directory: person %d (%s): email %q is not an address", i+1, p.Name, p.Email))
			continue
		}
		if _, dup := d.byEmail[p.Email]; dup {
			errs = append(errs, fmt.Errorf("directory: %s is listed twice", p.Email))
			continue
		}
		d.byEmail[p.Email] = &p
		d.people = append(d.people, &p)
	}
	for _, p := range d.people {
		if p.Manager != "" && d.byEmail[p.Manager] == nil {
			errs = append(errs, fmt.Errorf("directory: %s: manager %s is not in the directory", p.Email, p.Manager))
		}
		if p.Deputy != "" && d.byEmail[p.Deputy] == nil {
			errs = append(errs, fmt.Errorf("directory: %s: deputy %s is not in the directory", p.Email, p.Deputy))
		}
		// A loop in line management would make walking up endless.
		seen := map[string]bool{p.Email: true}
		for m := p.Manager; m != ""; {
			if seen[m] {
				errs = append(errs, fmt.Errorf("directory: %s: line management loops back through %s", p.Email, m))
				break
			}
			seen[m] = true
			mp := d.byEmail[m]
			if mp == nil {
				break
			}
			m = mp.Manager
		}
	}
	return d, errors.Join(errs...)
}

// Len is the number of people.
func (d *Directory) Len() int { return len(d.people) }

// Person looks someone up by email.
func (d *Directory) Person(email string) (Person, bool) {
	if d == nil {
		return Person{}, false
	}
	p, ok := d.byEmail[norm(email)]
	if !ok {
		return Person{}, false
	}
	return *p, true
}

// HasRole reports whether email holds role.
func (d *Directory) HasRole(email, role string) bool {
	p, ok := d.Person(email)
	return ok && p.HasRole(role)
}

// Holders lists the people holding role, in team when team is not "".
func (d *Directory) Holders(role, team string) []Person {
	var out []Person
	if d == nil {
		return nil
	}
	for _, p := range d.people {
		if p.HasRole(role) && (team == "" || strings.EqualFold(p.Team, team)) {
			out = append(out, *p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out
}

// Find returns the person who holds role above from: first up from's line
// management, then the one holder in from's team, then the one holder in
// the whole council (directors, the chief executive). Anything less certain
// is ErrNotFound or ErrAmbiguous.
func (d *Directory) Find(from, role, team string) (Person, error) {
	if d == nil {
		return Person{}, fmt.Errorf("%w: %s (empty directory)", ErrNotFound, role)
	}
	if p, ok := d.byEmail[norm(from)]; ok {
		if team == "" {
			team = p.Team
		}
		for m, steps := p.Manager, 0; m != "" && steps < 64; steps++ {
			mp := d.byEmail[m]
			if mp == nil {
				break
			}
			if mp.HasRole(role) {
				return *mp, nil
			}
			m = mp.Manager
		}
	}
	if team != "" {
		switch hs := d.Holders(role, team); len(hs) {
		case 1:
			return hs[0], nil
		case 0:
		default:
			return Person{}, fmt.Errorf("%w: %d people hold %s in team %s", ErrAmbiguous, len(hs), role, team)
		}
	}
	switch hs := d.Holders(role, ""); len(hs) {
	case 1:
		return hs[0], nil
	case 0:
		return Person{}, fmt.Errorf("%w: nobody holds %s", ErrNotFound, role)
	default:
		return Person{}, fmt.Errorf("%w: %d people hold %s and none manages %s", ErrAmbiguous, len(hs), role, from)
	}
}

// Notify returns the addresses to tell for role in team: every holder in the
// team, else the one holder council-wide; none when that is not certain.
func (d *Directory) Notify(role, team string) []string {
	hs := d.Holders(role, team)
	if len(hs) == 0 && team != "" {
		if all := d.Holders(role, ""); len(all) == 1 {
			hs = all
		}
	}
	out := make([]string, len(hs))
	for i, p := range hs {
		out[i] = p.Email
	}
	return out
}

// ReadCSV reads people from a CSV export with a header row naming the
// columns email, name, roles, team, manager, deputy (any order, any case;
// only email is required). Several roles are separated by ";" or "|".
func ReadCSV(r io.Reader) ([]Person, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("directory: csv header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := col["email"]; !ok {
		return nil, fmt.Errorf("directory: csv header has no email column: %v", header)
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []Person
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("directory: csv line %d: %w", line, err)
		}
		p := Person{Email: get(rec, "email"), Name: get(rec, "name"), Team: get(rec, "team"), Manager: get(rec, "manager"), Deputy: get(rec, "deputy")}
		for _, r := range strings.FieldsFunc(get(rec, "roles"), func(r rune) bool { return r == ';' || r == '|' }) {
			if r = strings.TrimSpace(r); r != "" {
				p.Roles = append(p.Roles, r)
			}
		}
		out = append(out, p)
	}
}
