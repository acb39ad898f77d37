package directory

import (
	"errors"
	"strings"
	"testing"
)

const sample = `email,name,roles,team,manager,deputy
sw@c.example,Sam Social,social_worker,North,tm@c.example,
tm@c.example,Tia Team,team_manager;practice_lead,North,sm@c.example,tm2@c.example
tm2@c.example,Tom Team,team_manager,North,sm@c.example,
sm@c.example,Sue Service,service_manager,North,od@c.example,
sm-south@c.example,Sid Service,service_manager,South,od@c.example,
od@c.example,Olu Ops,operations_director,,cd@c.example,
cd@c.example,Cat Corporate,corporate_director,,,
iro@c.example,Iris Reviewer,iro,IRO,irom@c.example,
irom@c.example,Ian Manager,iro_manager,IRO,,
`

func load(t *testing.T) *Directory {
	t.Helper()
	people, err := ReadCSV(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(people)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFind(t *testing.T) {
	d := load(t)
	tests := []struct {
		from, role, team, want string
		err                    error
	}{
		{"tm@c.example", "service_manager", "", "sm@c.example", nil},                 // walk up
		{"sw@c.example", "operations_director", "", "od@c.example", nil},             // several levels up
		{"unknown@c.example", "service_manager", "South", "sm-south@c.example", nil}, // team's one holder
		{"unknown@c.example", "corporate_director", "", "cd@c.example", nil},         // council-wide one holder
		{"unknown@c.example", "service_manager", "", "", ErrAmbiguous},               // two, no way to tell
		{"tm@c.example", "chief_executive", "", "", ErrNotFound},
		{"unknown@c.example", "team_manager", "North", "", ErrAmbiguous},
	}
	for _, tt := range tests {
		p, err := d.Find(tt.from, tt.role, tt.team)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("Find(%s, %s): err %v, want %v", tt.from, tt.role, err, tt.err)
			}
			continue
		}
		if err != nil || p.Email != tt.want {
			t.Errorf("Find(%s, %s) = %s, %v; want %s", tt.from, tt.role, p.Email, err, tt.want)
		}
	}
	if p, _ := d.Person("TM@C.example"); p.Deputy != "tm2@c.example" || !p.HasRole("practice_lead") {
		t.Errorf("Person = %+v", p)
	}
	if got := d.Notify("iro_manager", "North"); len(got) != 1 || got[0] != "irom@c.example" {
		t.Errorf("Notify = %v", got)
	}
	if got := d.Notify("team_manager", "North"); len(got) != 2 {
		t.Errorf("Notify team = %v", got)
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := New([]Person{
		{Email: "a@c.example", Manager: "b@c.example"},
		{Email: "b@c.example", Manager: "a@c.example"},
		{Email: "a@c.example"},
		{Email: "not-an-address"},
		{Email: "c@c.example", Deputy: "gone@c.example"},
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"loops", "listed twice", "not an address", "gone@c.example"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestReadCSVErrors(t *testing.T) {
	if _, err := ReadCSV(strings.NewReader("name,team\nx,y\n")); err == nil {
		t.Error("csv without email column accepted")
	}
	people, err := ReadCSV(strings.NewReader("\ufeffEmail,Roles\na@c.example,director | qa\n"))
	if err != nil || len(people) != 1 || len(people[0].Roles) != 2 {
		t.Errorf("BOM and | roles: %v %+v", err, people)
	}
}
