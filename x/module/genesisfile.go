package module

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/ledgerd/ledgerd/x/exec"
)

// GenesisFileRef is how a genesis section names a file beside the genesis
// document (exec.GenesisFiles): its path there, slash-separated and
// without "..", and the SHA-256 of its content, in hex. The digest makes
// the file part of the genesis: every node reads the same bytes or none.
type GenesisFileRef struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Check reports what is wrong with r's form, if anything.
func (r GenesisFileRef) Check() error {
	if r.Path == "" || r.Path == "." || !fs.ValidPath(r.Path) {
		return fmt.Errorf("path %q: want a file name relative to the genesis file's directory, slash-separated, without \"..\"", r.Path)
	}
	if b, err := hex.DecodeString(r.SHA256); err != nil || len(b) != sha256.Size || strings.ToLower(r.SHA256) != r.SHA256 {
		return fmt.Errorf("sha256 %q: want the file's SHA-256 as 64 lowercase hex digits", r.SHA256)
	}
	return nil
}

// ErrNoGenesisFiles is OpenGenesisFile's error when the context has no
// directory to read genesis files from.
var ErrNoGenesisFiles = errors.New("no genesis directory to read it from")

// OpenGenesisFile opens the file r names in files after checking that its
// content has r's SHA-256: nothing is read from a file that differs. The
// check reads the file once through the handle it returns, which is then
// rewound, so a file replaced after the check is not the one read. The
// caller closes it.
func OpenGenesisFile(files exec.GenesisFiles, r GenesisFileRef) (io.ReadCloser, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	if files.FS == nil {
		return nil, fmt.Errorf("%s: %w", r.Path, ErrNoGenesisFiles)
	}
	f, err := files.FS.Open(r.Path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Path, err)
	}
	rewind, ok := f.(io.Seeker)
	if !ok {
		f.Close()
		return nil, fmt.Errorf("%s: its file system cannot rewind it after its SHA-256 is checked", r.Path)
	}
	sum, err := digest(f)
	if err == nil && sum == r.SHA256 {
		_, err = rewind.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", r.Path, err)
	}
	if sum != r.SHA256 {
		f.Close()
		return nil, fmt.Errorf("%s: content has SHA-256 %s, the genesis says %s: it is not the file this genesis was made with", r.Path, sum, r.SHA256)
	}
	return f, nil
}

// GenesisFileDigest is the SHA-256, in lowercase hex, of the file at path
// in fsys: the digest a GenesisFileRef pins.
func GenesisFileDigest(fsys fs.FS, path string) (string, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	sum, err := digest(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return sum, nil
}

// digest is the SHA-256 of what r reads to its end, in lowercase hex.
func digest(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
