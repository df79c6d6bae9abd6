package cli

import (
	"errors"
	"fmt"
)

// Exit statuses, as iproute2's ip uses them: scripts test them.
const (
	// ExitOK: the command did what was asked.
	ExitOK = 0
	// ExitFailure: a value that names nothing or cannot be used (an
	// unknown command, a device that does not exist, a malformed
	// prefix), or a file that cannot be read; ip's exit(1). A -batch run
	// in which a command failed ends with it too.
	ExitFailure = 1
	// ExitRefused: the kernel or the system refused the request.
	ExitRefused = 2
	// ExitSyntax: a command line nlctl cannot parse: an unknown option
	// or keyword, a keyword without its value or given twice, a value
	// of the wrong form; ip's exit(-1).
	ExitSyntax = 255
)

// Error is an error that carries the exit status it ends nlctl with.
type Error struct {
	Status int    // the exit status
	Msg    string // the message, without "nlctl COMMAND: "
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

// ExitCode returns the exit status.
func (e *Error) ExitCode() int { return e.Status }

// Syntaxf returns an error for a command line that cannot be parsed; it
// ends nlctl with ExitSyntax.
func Syntaxf(format string, args ...any) error {
	return &Error{ExitSyntax, fmt.Sprintf(format, args...)}
}

// Failf returns an error for a value that names nothing or cannot be
// used; it ends nlctl with ExitFailure.
func Failf(format string, args ...any) error {
	return &Error{ExitFailure, fmt.Sprintf(format, args...)}
}

// ErrHelpShown ends a command that printed its help on request (exit 0).
var ErrHelpShown = errors.New("help shown")

// Status returns the exit status err ends nlctl with: ExitOK for nil and
// ErrHelpShown, the status an error carries (an *Error, or a command run
// by `netns exec` that failed), ExitRefused for anything else, which
// is the kernel's or the system's refusal.
func Status(err error) int {
	if err == nil || errors.Is(err, ErrHelpShown) {
		return ExitOK
	}
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) && ec.ExitCode() > 0 {
		return ec.ExitCode()
	}
	return ExitRefused
}

// Quote shows a word from the command line in a message, cut to a
// readable length (a 1 MB word is not echoed whole).
func Quote(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q... (%d bytes)", s[:max], len(s))
	}
	return fmt.Sprintf("%q", s)
}
