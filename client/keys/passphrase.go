package keys

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"golang.org/x/term"
)

// ErrPassphraseFilePermissions means a passphrase file grants its group or
// others some permission (mode 0640, 0644, ...): PassphraseFromFile refuses
// it without reading it.
var ErrPassphraseFilePermissions = errors.New("passphrase file is not private to its owner")

// PassphraseFromFile returns the first line of the file at path, without its
// line ending ("\n" or "\r\n"); other white space is kept as part of the
// passphrase. It fails with an error wrapping ErrEmptyPassphrase if that line
// is empty, and, except on Windows, with one wrapping
// ErrPassphraseFilePermissions, before reading it, if the file grants its
// group or others any permission: a passphrase file must be the owner's
// alone (chmod 600), as the keyring directory is.
func PassphraseFromFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read passphrase file: %w", err)
	}
	defer f.Close()
	if runtime.GOOS != "windows" {
		st, err := f.Stat() // the file opened, not whatever path names by now
		if err != nil {
			return "", fmt.Errorf("read passphrase file %s: %w", path, err)
		}
		if perm := st.Mode().Perm(); perm&0o077 != 0 {
			return "", fmt.Errorf("passphrase file %s has mode %04o, open to its group or others: %w; run chmod 600 %s",
				path, perm, ErrPassphraseFilePermissions, path)
		}
	}
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read passphrase file %s: %w", path, err)
	}
	pass := trimLineEnd(line)
	if pass == "" {
		return "", fmt.Errorf("passphrase file %s: %w: its first line must hold the passphrase", path, ErrEmptyPassphrase)
	}
	return pass, nil
}

// PromptPassphrase reads a passphrase from standard input.
//
// If standard input is a terminal, it writes prompt to standard error and
// reads the passphrase without echoing it; with confirm set it then asks for
// the passphrase again and fails if the two differ (use confirm when
// choosing a new passphrase). Otherwise (input piped from a script) it reads
// one line without prompting and without confirmation, consuming nothing
// beyond that line. It fails with an error wrapping ErrEmptyPassphrase if the
// passphrase is empty.
func PromptPassphrase(prompt string, confirm bool) (string, error) {
	return promptPassphrase(os.Stdin, os.Stderr, prompt, confirm)
}

func promptPassphrase(in *os.File, out io.Writer, prompt string, confirm bool) (string, error) {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		pass, err := readLine(in)
		if err != nil {
			return "", fmt.Errorf("read passphrase from standard input: %w", err)
		}
		if pass == "" {
			return "", fmt.Errorf("read passphrase from standard input: %w", ErrEmptyPassphrase)
		}
		return pass, nil
	}
	pass, err := readHidden(fd, out, prompt)
	if err != nil {
		return "", err
	}
	if pass == "" {
		return "", fmt.Errorf("%w: a passphrase is required", ErrEmptyPassphrase)
	}
	if confirm {
		again, err := readHidden(fd, out, "Repeat passphrase: ")
		if err != nil {
			return "", err
		}
		if again != pass {
			return "", errors.New("passphrases do not match; please try again")
		}
	}
	return pass, nil
}

// readHidden prompts on out and reads a line from the terminal fd without echo.
func readHidden(fd int, out io.Writer, prompt string) (string, error) {
	fmt.Fprint(out, prompt)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(out) // the user's newline was not echoed
	if err != nil {
		return "", fmt.Errorf("read passphrase from terminal: %w", err)
	}
	return trimLineEnd(string(b)), nil
}

// readLine reads up to and including the next '\n' one byte at a time, so
// that input after the line stays unread for the caller. EOF ends the line.
func readLine(r io.Reader) (string, error) {
	var sb strings.Builder
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			sb.WriteByte(b[0])
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return trimLineEnd(sb.String()), nil
}

// trimLineEnd removes one trailing "\n", then one trailing "\r".
func trimLineEnd(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}
