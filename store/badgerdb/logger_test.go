package badgerdb

import (
	"bytes"
	"log"
	"strings"
	"testing"
)

// A verbose Logger passes on what Badger tells (opening a database logs
// the tables it opened); a quiet one only its errors.
func TestLoggerPassesOnInformationOnlyWhenVerbose(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		var out bytes.Buffer
		db, _ := openTestDB(t, Options{Logger: Logger(log.New(&out, "", 0), verbose)})
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), "INFO: "); got != verbose {
			t.Fatalf("verbose %v: information logged %v, want %v; output:\n%s", verbose, got, verbose, out.String())
		}
		Logger(log.New(&out, "", 0), verbose).Errorf("disk %s", "full")
		if !strings.Contains(out.String(), "ERROR: disk full") {
			t.Fatalf("verbose %v: an error was not logged; output:\n%s", verbose, out.String())
		}
	}
}
