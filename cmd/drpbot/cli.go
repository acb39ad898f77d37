package main

// The command line: the standard library's flag package, one FlagSet per
// command, parsed by flags.parse so that flags may come anywhere on the line
// (`show -c cfg REF --json`, `calendar add -c cfg DATE N`), which flag alone
// stops at the first argument that is not a flag. Why not cobra or kong: the
// commands are a dozen with a few flags each, flag already gives -x and --x,
// typed values and its -h; a dispatcher of a hundred lines keeps the binary's
// dependencies to what the daemon needs, and the help, the exit codes and the
// config lookup stay in one file that tests drive directly.
//
// Exit codes: 0 done (and for -h / help), 1 the work failed (a config that
// does not validate, a store that does not open, a dispute not found), 2 the
// command line is wrong (an unknown flag or command, a missing or extra
// argument, a value that is not one of the choices, no config file given and
// none found).

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// errUsage marks an error in the command line itself: exit status 2.
var errUsage = errors.New("usage")

// defaultConfig is the config file a command reads when neither -c nor
// DRPBOT_CONFIG names one.
const defaultConfig = "config.toml"

// flags is one command's flag set and help text.
type flags struct {
	*flag.FlagSet
	synopsis string // the usage lines, each starting "drpbot NAME"
	about    string // what the command does, for its help
	stdout   io.Writer
	stderr   io.Writer
	// cfg is where -c's value lands when the command needs a config
	// (config was called); parse resolves it to a file that exists.
	cfg *string
}

// newFlags starts a command's flag set. The flag package prints nothing
// itself: parse reports errors and help, so each goes to the right stream.
func newFlags(name, synopsis, about string, stdout, stderr io.Writer) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flags{FlagSet: fs, synopsis: synopsis, about: about, stdout: stdout, stderr: stderr}
}

// config adds the -c flag for a command that needs a config file. After
// parse, the string holds the path to read: -c's value, else $DRPBOT_CONFIG,
// else config.toml in the working directory, and the file exists.
func (f *flags) config() *string {
	f.cfg = f.String("c", "", "the config `file` (default $DRPBOT_CONFIG, else "+defaultConfig+")")
	return f.cfg
}

// parse reads flags wherever they are among args and returns the other
// arguments, of which there must be between min and max (max < 0: no
// limit). When ok is false the command is over: help was printed (code 0)
// or the line was wrong (code 2, the reason and the usage on stderr).
func (f *flags) parse(args []string, min, max int) (pos []string, code int, ok bool) {
	pos, err := interspersed(f.FlagSet, args)
	if errors.Is(err, flag.ErrHelp) {
		f.help(f.stdout)
		return nil, 0, false
	}
	if err != nil {
		return nil, f.usageError("%v", err), false
	}
	switch {
	case len(pos) < min:
		return nil, f.usageError("missing arguments"), false
	case max >= 0 && len(pos) > max:
		return nil, f.usageError("unexpected argument %q", pos[max]), false
	}
	if f.cfg != nil {
		path, err := findConfig(*f.cfg)
		if err != nil {
			return nil, f.fail(err), false
		}
		*f.cfg = path
	}
	return pos, 0, true
}

// interspersed is fs.Parse that carries on past arguments that are not
// flags, collecting them in order; "--" ends the flags.
func interspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// findConfig says which config file a command reads, and that it exists.
// Without -c it is $DRPBOT_CONFIG or config.toml in the working directory;
// when that is missing the error says where it looked and how to name one.
func findConfig(given string) (string, error) {
	path, from := given, ""
	if path == "" {
		if path = os.Getenv("DRPBOT_CONFIG"); path != "" {
			from = " (from $DRPBOT_CONFIG)"
		} else {
			path = defaultConfig
		}
	}
	if _, err := os.Stat(path); err != nil {
		abs, _ := filepath.Abs(path)
		if given == "" && from == "" {
			return "", fmt.Errorf("%w: no config file: looked for %s (no -c given); pass one with -c /etc/drpbot/config.toml or set DRPBOT_CONFIG", errUsage, abs)
		}
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("no config file at %s%s", abs, from)
		}
		return "", fmt.Errorf("config file%s: %w", from, err)
	}
	return path, nil
}

// help prints the command's usage, what it does and its flags.
func (f *flags) help(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n", strings.ReplaceAll(f.synopsis, "\n", "\n       "))
	if f.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(f.about, "\n"))
	}
	n := 0
	f.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nflags (before or after the arguments; -x and --x are the same):")
		f.SetOutput(w)
		f.PrintDefaults()
		f.SetOutput(io.Discard)
	}
}

// usageError reports a wrong command line and returns exit status 2.
func (f *flags) usageError(format string, a ...any) int {
	fmt.Fprintf(f.stderr, "drpbot %s: %s\nusage: %s\nrun 'drpbot help %s' for more.\n",
		f.Name(), fmt.Sprintf(format, a...), strings.ReplaceAll(f.synopsis, "\n", "\n       "), f.Name())
	return 2
}

// fail reports err and returns its exit status: 2 for an errUsage, else 1.
func (f *flags) fail(err error) int {
	if errors.Is(err, errUsage) {
		msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
		return f.usageError("%s", msg)
	}
	fmt.Fprintf(f.stderr, "drpbot %s: %v\n", f.Name(), err)
	return 1
}

// choice checks that v is one of the allowed values of flag name.
func choice(name, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%w: --%s %q is not one of %s", errUsage, name, v, strings.Join(allowed, ", "))
}

// normalizeRef turns what a person types or pastes ("drp-2026-0042",
// "[DRP-2026-0042]") into the stored form: refs are upper case.
func normalizeRef(s string) string {
	return strings.ToUpper(strings.Trim(strings.TrimSpace(s), "[]"))
}
