package pseudo

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/tarn-project/tarn/rules/internal/ascii"
)

// MinKeyBytes is the minimum length of a master key in bytes.
const MinKeyBytes = 32

// epochKeyPrefix versions the epoch-key derivation (see the package comment).
const epochKeyPrefix = "tarn/epoch/v1/"

// ErrShortKey is returned (wrapped) when a key has fewer than MinKeyBytes bytes.
var ErrShortKey = errors.New("pseudo: key too short")

// ErrOddHex is returned when a key file holds only hex digits but an odd
// number of them: almost surely a truncated hex key, so it is not silently
// used as a raw key.
var ErrOddHex = errors.New("pseudo: key looks like hex but has an odd number of digits")

// ParseKey decodes a key file's content. If the content, with leading and
// trailing ASCII whitespace removed, is valid hex (either case), it is
// decoded; otherwise the content is used as raw bytes, unmodified. The result
// must have at least MinKeyBytes bytes. Errors give byte counts only, never
// key material. The returned slice never aliases b.
func ParseKey(b []byte) ([]byte, error) {
	t := trimSpace(b)
	if len(t) > 0 && allHex(t) {
		if len(t)%2 != 0 {
			return nil, fmt.Errorf("%w (%d digits)", ErrOddHex, len(t))
		}
		k := make([]byte, len(t)/2)
		if _, err := hex.Decode(k, t); err != nil {
			return nil, ErrOddHex // unreachable: t is all hex of even length
		}
		return checkLen(k, "hex-decoded ")
	}
	return checkLen(append([]byte(nil), b...), "")
}

func checkLen(k []byte, kind string) ([]byte, error) {
	if len(k) < MinKeyBytes {
		return nil, fmt.Errorf("%w: %s%d bytes, need at least %d", ErrShortKey, kind, len(k), MinKeyBytes)
	}
	return k, nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func allHex(b []byte) bool {
	for _, c := range b {
		if !ascii.IsHex(c) {
			return false
		}
	}
	return true
}

// LoadKeyFile reads the file at path and decodes it with ParseKey. Errors
// name the path, never the content.
func LoadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is added below, once
		}
		return nil, fmt.Errorf("pseudo: key file %q: %w", path, err)
	}
	k, err := ParseKey(b)
	clear(b)
	if err != nil {
		return nil, fmt.Errorf("pseudo: key file %q: %w", path, err)
	}
	return k, nil
}

// GenerateKey returns a new random MinKeyBytes-byte master key from
// crypto/rand.
func GenerateKey() ([]byte, error) {
	k := make([]byte, MinKeyBytes)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("pseudo: generate key: %w", err)
	}
	return k, nil
}

// EncodeKey returns k as lower-case hex followed by "\n", the key-file format
// printed by `tarn keygen` and accepted by ParseKey.
func EncodeKey(k []byte) []byte {
	return append(hex.AppendEncode(make([]byte, 0, 2*len(k)+1), k), '\n')
}

// EpochKey returns HMAC-SHA256(master, "tarn/epoch/v1/" + r.Epoch(t)), the key
// under which values of t's epoch are pseudonymized. It allocates.
func EpochKey(master []byte, r Rotation, t time.Time) [32]byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(epochKeyPrefix + r.Epoch(t)))
	var k [32]byte
	m.Sum(k[:0])
	return k
}
