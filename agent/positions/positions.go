// Package positions remembers how far each tailed file has been read, so a
// restart continues where the last durable checkpoint was. A file is known
// by device, inode and a fingerprint of its first bytes, so a reused inode
// holding new content is read from the start.
package positions

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"syscall"

	"github.com/cespare/xxhash/v2"

	"github.com/tarn-project/tarn/agent/durable"
)

// ErrDamaged is returned by Load when the positions file cannot be
// decoded.
var ErrDamaged = errors.New("positions: file is damaged")

// FingerprintBytes is how many leading bytes identify a file's content.
const FingerprintBytes = 1024

// ID identifies one file's content independently of its name.
type ID struct {
	// Dev and Ino are the file's device and inode.
	Dev, Ino uint64
	// Fingerprint is the xxhash of the first FPLen bytes.
	Fingerprint uint64
	// FPLen is how many bytes the fingerprint covers (up to
	// FingerprintBytes; a short file's fingerprint grows with it).
	FPLen int
}

// Identify returns the ID of an open file. It reads at most
// FingerprintBytes from the start with ReadAt, leaving the offset alone.
func Identify(f *os.File) (ID, error) {
	fi, err := f.Stat()
	if err != nil {
		return ID{}, fmt.Errorf("positions: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ID{}, errors.New("positions: no inode information on this platform")
	}
	buf := make([]byte, FingerprintBytes)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return ID{}, fmt.Errorf("positions: read %s: %w", f.Name(), err)
	}
	return ID{Dev: uint64(st.Dev), Ino: st.Ino, Fingerprint: xxhash.Sum64(buf[:n]), FPLen: n}, nil
}

// Same reports whether b is the same content as a: same inode, and a's
// fingerprint is a prefix fingerprint of b (b may have grown).
func (a ID) Same(b ID, f *os.File) bool {
	if a.Dev != b.Dev || a.Ino != b.Ino || b.FPLen < a.FPLen {
		return false
	}
	if a.FPLen == b.FPLen {
		return a.Fingerprint == b.Fingerprint
	}
	buf := make([]byte, a.FPLen)
	n, err := f.ReadAt(buf, 0)
	return (err == nil || errors.Is(err, io.EOF)) && n == a.FPLen && xxhash.Sum64(buf) == a.Fingerprint
}

// Position is the checkpoint of one file.
type Position struct {
	// Path is where the file was last seen.
	Path string `json:"path"`
	// Name is the path the file was first tailed under, which names its
	// entries (their filename label) however it is renamed later. Files
	// written before names were stored have none: see Label.
	Name string `json:"name,omitempty"`
	// ID identifies its content.
	ID ID `json:"id"`
	// Offset is the byte offset up to which entries are durable.
	Offset int64 `json:"offset"`
	// Skip, when set, is the end of what was read: the lines between
	// Offset and Skip were durable except for partial container lines
	// that began at Offset and had not ended (see the agent's container
	// inputs).
	Skip int64 `json:"skip,omitempty"`
}

// Label is the name for the file's entries: Name, or Path when the
// position was stored without a name.
func (p Position) Label() string {
	if p.Name != "" {
		return p.Name
	}
	return p.Path
}

// Store holds the positions of all files of an agent. It is not safe for
// concurrent use; the agent's checkpoint goroutine owns it.
type Store struct {
	path string
	byID map[ID]Position
}

// Load reads the positions file at path; a missing file is an empty store.
// A damaged file is an error that names the path.
func Load(path string) (*Store, error) {
	s := &Store{path: path, byID: map[ID]Position{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("positions: %w", err)
	}
	var list []Position
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrDamaged, path, err)
	}
	for _, p := range list {
		s.byID[p.ID] = p
	}
	return s, nil
}

// Get returns the position of the file with id.
func (s *Store) Get(id ID) (Position, bool) {
	p, ok := s.byID[id]
	return p, ok
}

// Inode returns the position of the file on device dev with inode ino.
func (s *Store) Inode(dev, ino uint64) (Position, bool) {
	for id, p := range s.byID {
		if id.Dev == dev && id.Ino == ino {
			return p, true
		}
	}
	return Position{}, false
}

// Find returns the position whose content f holds (the file may have grown
// since its fingerprint was taken). With f nil only a position of the
// same inode and fingerprint matches.
func (s *Store) Find(id ID, f *os.File) (Position, bool) {
	if p, ok := s.byID[id]; ok {
		return p, true
	}
	for _, p := range s.byID {
		if p.ID.Same(id, f) {
			return p, true
		}
	}
	return Position{}, false
}

// Set records a position, replacing any older ID of the same inode (an
// inode holds one content at a time; a short file's ID grows with it).
func (s *Store) Set(p Position) {
	for id := range s.byID {
		if id.Dev == p.ID.Dev && id.Ino == p.ID.Ino && id != p.ID {
			delete(s.byID, id)
		}
	}
	s.byID[p.ID] = p
}

// Delete forgets a file.
func (s *Store) Delete(id ID) { delete(s.byID, id) }

// All returns the positions sorted by path.
func (s *Store) All() []Position {
	out := make([]Position, 0, len(s.byID))
	for _, p := range s.byID {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Save writes the store durably (temp file, fsync, rename, fsync dir), mode
// 0600.
func (s *Store) Save() error {
	data, err := json.MarshalIndent(s.All(), "", "  ")
	if err != nil {
		return fmt.Errorf("positions: %w", err)
	}
	return durable.WriteFile(s.path, data, 0o600)
}
