package module

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ledgerd/ledgerd/x/exec"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// changingFS serves name with first's content at the first Open and
// later's after: a file replaced while it is being opened.
type changingFS struct {
	name, first, later string
	opens              int
}

func (c *changingFS) Open(name string) (fs.File, error) {
	if name != c.name {
		return nil, fs.ErrNotExist
	}
	c.opens++
	content := c.later
	if c.opens == 1 {
		content = c.first
	}
	return fstest.MapFS{name: {Data: []byte(content)}}.Open(name)
}

// unseekableFS serves files that cannot be rewound.
type unseekableFS struct{ fstest.MapFS }

type unseekable struct{ fs.File }

func (u unseekableFS) Open(name string) (fs.File, error) {
	f, err := u.MapFS.Open(name)
	if err != nil {
		return nil, err
	}
	return unseekable{f}, nil
}

func readAll(t *testing.T, files exec.GenesisFiles, r GenesisFileRef) (string, error) {
	t.Helper()
	f, err := OpenGenesisFile(files, r)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), nil
}

func TestOpenGenesisFile(t *testing.T) {
	const content = "[{\"owner\":\"0x01\"}]\n"
	files := exec.GenesisFiles{FS: fstest.MapFS{"wallets.json": {Data: []byte(content)}}}
	got, err := readAll(t, files, GenesisFileRef{Path: "wallets.json", SHA256: sha(content)})
	if err != nil || got != content {
		t.Fatalf("read %q, %v; want the whole file", got, err)
	}
	if d, err := GenesisFileDigest(files.FS, "wallets.json"); err != nil || d != sha(content) {
		t.Fatalf("digest %s, %v; want %s", d, err, sha(content))
	}

	for _, c := range []struct {
		name  string
		files exec.GenesisFiles
		ref   GenesisFileRef
		want  string
	}{
		{"another file's digest", files, GenesisFileRef{Path: "wallets.json", SHA256: sha("other")}, "it is not the file this genesis was made with"},
		{"missing", files, GenesisFileRef{Path: "gone.json", SHA256: sha(content)}, "gone.json: open gone.json: file does not exist"},
		{"escaping path", files, GenesisFileRef{Path: "../wallets.json", SHA256: sha(content)}, "without \"..\""},
		{"upper-case digest", files, GenesisFileRef{Path: "wallets.json", SHA256: strings.ToUpper(sha(content))}, "64 lowercase hex digits"},
		{"no directory", exec.GenesisFiles{}, GenesisFileRef{Path: "wallets.json", SHA256: sha(content)}, ErrNoGenesisFiles.Error()},
		{"cannot rewind", exec.GenesisFiles{FS: unseekableFS{files.FS.(fstest.MapFS)}}, GenesisFileRef{Path: "wallets.json", SHA256: sha(content)}, "cannot rewind"},
	} {
		_, err := readAll(t, c.files, c.ref)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
	if _, err := readAll(t, exec.GenesisFiles{}, GenesisFileRef{Path: "w", SHA256: sha("")}); !errors.Is(err, ErrNoGenesisFiles) {
		t.Errorf("no directory: %v, want ErrNoGenesisFiles", err)
	}
}

// TestOpenGenesisFileReadsWhatItChecked: a file replaced after its digest
// was checked is not what the caller reads: the check and the reading go
// through one handle.
func TestOpenGenesisFileReadsWhatItChecked(t *testing.T) {
	fsys := &changingFS{name: "wallets.json", first: "checked", later: "swapped"}
	got, err := readAll(t, exec.GenesisFiles{FS: fsys}, GenesisFileRef{Path: "wallets.json", SHA256: sha("checked")})
	if err != nil || got != "checked" {
		t.Fatalf("read %q, %v; want the content whose digest was checked", got, err)
	}
}
