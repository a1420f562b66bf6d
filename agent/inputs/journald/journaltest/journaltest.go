// Package journaltest writes real journal files for the tests of the
// journald input: entries in the journal export format
// (https://systemd.io/JOURNAL_EXPORT_FORMATS/) handed to Debian's
// systemd-journal-remote, which stores them as journald does, so that
// journalctl --file/--directory reads them back. No journald has to run.
package journaltest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// RemotePaths are where Debian and other distributions install
// systemd-journal-remote (it is not on PATH).
var RemotePaths = []string{"/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"}

// BootID is the boot ID of the entries Syslog makes.
const BootID = "5f1c0e2a9b7d4c3e8a6f1b2d3c4e5f60"

// Field is one field of an entry.
type Field struct {
	// Name is the field's name (MESSAGE, _HOSTNAME, ...).
	Name string
	// Value is its value; a value with control characters (a newline, a
	// NUL) is written in the binary form.
	Value []byte
}

// Entry is one journal entry: its fields in order. It needs
// __REALTIME_TIMESTAMP, __MONOTONIC_TIMESTAMP and _BOOT_ID for
// systemd-journal-remote (Syslog sets them).
type Entry []Field

// Syslog returns the entry a syslog() call of ident (PID pid, unit unit,
// priority prio) on host would leave at t. Empty strings and a pid of 0
// leave the field out.
func Syslog(t time.Time, host, unit, ident string, pid, prio int, msg string) Entry {
	e := Entry{
		{"__REALTIME_TIMESTAMP", []byte(strconv.FormatInt(t.UnixMicro(), 10))},
		{"__MONOTONIC_TIMESTAMP", []byte(strconv.FormatInt(t.UnixMicro()%(1<<40)+1, 10))},
		{"_BOOT_ID", []byte(BootID)},
		{"_TRANSPORT", []byte("syslog")},
		{"PRIORITY", []byte(strconv.Itoa(prio))},
	}
	add := func(name, v string) {
		if v != "" {
			e = append(e, Field{name, []byte(v)})
		}
	}
	add("_HOSTNAME", host)
	add("_SYSTEMD_UNIT", unit)
	add("SYSLOG_IDENTIFIER", ident)
	if pid > 0 {
		add("_PID", strconv.Itoa(pid))
	}
	return append(e, Field{"MESSAGE", []byte(msg)})
}

// With returns e with the field name set to v (replaced if present).
func (e Entry) With(name string, v []byte) Entry {
	out := append(Entry(nil), e...)
	for i := range out {
		if out[i].Name == name {
			out[i].Value = v
			return out
		}
	}
	return append(out, Field{name, v})
}

// Without returns e without the field name.
func (e Entry) Without(name string) Entry {
	var out Entry
	for _, f := range e {
		if f.Name != name {
			out = append(out, f)
		}
	}
	return out
}

// Export writes entries in the journal export format.
func Export(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	for _, e := range entries {
		for _, f := range e {
			if binaryValue(f.Value) {
				bw.WriteString(f.Name)
				bw.WriteByte('\n')
				var sz [8]byte
				binary.LittleEndian.PutUint64(sz[:], uint64(len(f.Value)))
				bw.Write(sz[:])
				bw.Write(f.Value)
				bw.WriteByte('\n')
				continue
			}
			bw.WriteString(f.Name)
			bw.WriteByte('=')
			bw.Write(f.Value)
			bw.WriteByte('\n')
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func binaryValue(v []byte) bool {
	for _, c := range v {
		if c < ' ' && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}

// Tools returns the paths of journalctl and systemd-journal-remote, or
// why they cannot be used.
func Tools() (journalctl, remote string, err error) {
	journalctl, err = exec.LookPath("journalctl")
	if err != nil {
		return "", "", fmt.Errorf("journalctl not found (apt-get install systemd): %w", err)
	}
	for _, p := range RemotePaths {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return journalctl, p, nil
		}
	}
	return "", "", fmt.Errorf("systemd-journal-remote not found in %v (apt-get install systemd-journal-remote)", RemotePaths)
}

// Require skips the test when journalctl or systemd-journal-remote is
// missing, saying which and how to install it.
func Require(t testing.TB) {
	t.Helper()
	if _, _, err := Tools(); err != nil {
		t.Skipf("needs a real journal: %v", err)
	}
}

// Write appends entries to the journal file path (name ending in
// .journal; created if missing) with systemd-journal-remote.
func Write(t testing.TB, path string, entries []Entry) {
	t.Helper()
	if err := WriteFile(path, entries); err != nil {
		t.Fatal(err)
	}
}

// WriteFile is Write returning its error.
func WriteFile(path string, entries []Entry) error {
	_, remote, err := Tools()
	if err != nil {
		return err
	}
	var in bytes.Buffer
	if err := Export(&in, entries); err != nil {
		return err
	}
	cmd := exec.Command(remote, "--output="+path, "-")
	cmd.Stdin = &in
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("systemd-journal-remote: %w\n%s", err, out)
	}
	return nil
}
