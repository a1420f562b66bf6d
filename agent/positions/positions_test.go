package positions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	os.WriteFile(log, []byte("line 1\nline 2\n"), 0o644)
	f, _ := os.Open(log)
	defer f.Close()
	id, err := Identify(f)
	if err != nil || id.FPLen != 14 || id.Ino == 0 {
		t.Fatalf("id %+v, %v", id, err)
	}
	store := filepath.Join(dir, "positions.json")
	s, err := Load(store)
	if err != nil || len(s.All()) != 0 {
		t.Fatalf("empty store: %v %v", s.All(), err)
	}
	s.Set(Position{Path: log, ID: id, Offset: 7})
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	s2, err := Load(store)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := s2.Get(id); !ok || p.Offset != 7 || p.Path != log {
		t.Fatalf("got %+v %v", p, ok)
	}
	fi, _ := os.Stat(store)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
}

func TestGrowingFileIsTheSame(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "a.log")
	os.WriteFile(log, []byte("short\n"), 0o644)
	f, _ := os.Open(log)
	defer f.Close()
	before, _ := Identify(f)
	os.WriteFile(log, []byte("short\nand more lines\n"), 0o644) // same inode, grown
	after, _ := Identify(f)
	if before == after || !before.Same(after, f) {
		t.Fatalf("grown file not recognized: %+v vs %+v", before, after)
	}
	s, _ := Load(filepath.Join(dir, "p.json"))
	s.Set(Position{Path: log, ID: before, Offset: 6})
	if p, ok := s.Find(after, f); !ok || p.Offset != 6 {
		t.Fatalf("Find: %+v %v", p, ok)
	}
}

func TestReusedInodeWithNewContent(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "a.log")
	os.WriteFile(log, []byte("old content\n"), 0o644)
	f, _ := os.Open(log)
	old, _ := Identify(f)
	f.Close()
	os.WriteFile(log, []byte("new stuff!!\n"), 0o644) // truncated and rewritten in place
	f, _ = os.Open(log)
	defer f.Close()
	cur, _ := Identify(f)
	if old.Same(cur, f) {
		t.Fatal("new content taken for the old file")
	}
}

func TestDamagedFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "positions.json")
	os.WriteFile(p, []byte("{not json"), 0o600)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("got %v", err)
	}
}

// TestOldFormatLoads loads a positions file written before names were
// stored: it loads, and a position without a name is labelled by its path.
func TestOldFormatLoads(t *testing.T) {
	p := filepath.Join(t.TempDir(), "positions.json")
	old := `[
  {
    "path": "/var/log/nginx/access.log.1",
    "id": {"Dev": 2049, "Ino": 77, "Fingerprint": 12345, "FPLen": 1024},
    "offset": 4096
  }
]`
	os.WriteFile(p, []byte(old), 0o600)
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	id := ID{Dev: 2049, Ino: 77, Fingerprint: 12345, FPLen: 1024}
	got, ok := s.Get(id)
	if !ok || got.Offset != 4096 || got.Name != "" || got.Label() != "/var/log/nginx/access.log.1" {
		t.Fatalf("got %+v %v (label %q)", got, ok, got.Label())
	}
	s.Set(Position{Path: "/var/log/nginx/access.log.2", Name: "/var/log/nginx/access.log", ID: id, Offset: 5000})
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	s2, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s2.Get(id); got.Label() != "/var/log/nginx/access.log" || got.Path != "/var/log/nginx/access.log.2" {
		t.Fatalf("after a save: %+v", got)
	}
}

// TestFindWithoutFile matches only the exact content when no file is
// given to compare a shorter fingerprint with.
func TestFindWithoutFile(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "a.log")
	os.WriteFile(log, []byte("short\n"), 0o644)
	f, _ := os.Open(log)
	defer f.Close()
	before, _ := Identify(f)
	os.WriteFile(log, []byte("short\nand more lines\n"), 0o644)
	after, _ := Identify(f)
	s, _ := Load(filepath.Join(dir, "p.json"))
	s.Set(Position{Path: log, ID: before, Offset: 6})
	if _, ok := s.Find(after, nil); ok {
		t.Fatal("a longer fingerprint matched without a file")
	}
	if p, ok := s.Find(before, nil); !ok || p.Offset != 6 {
		t.Fatalf("exact ID: %+v %v", p, ok)
	}
}
