package pseudo

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// testMaster is a fixed 32-byte master key.
var testMaster = []byte("0123456789abcdef0123456789ABCDEF")

// refHMAC is HMAC-SHA256 straight from crypto/hmac, independent of the package.
func refHMAC(key, msg []byte) [32]byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// refSum computes a pseudonym MAC from a hand-written epoch label.
func refSum(master []byte, label string, value []byte) [32]byte {
	k := refHMAC(master, []byte("tarn/epoch/v1/"+label))
	return refHMAC(k[:], value)
}

const keyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func TestParseKey(t *testing.T) {
	want, _ := hex.DecodeString(keyHex)
	raw := []byte("this raw key is not hex, 32 byt!")
	rawNL := append(append([]byte(nil), raw...), '\n')
	cases := []struct {
		name string
		in   string
		want []byte
		err  error
	}{
		{"hex", keyHex, want, nil},
		{"hex with newline", keyHex + "\n", want, nil},
		{"hex with crlf and spaces", "  " + keyHex + " \r\n", want, nil},
		{"upper-case hex", strings.ToUpper(keyHex) + "\n", want, nil},
		{"mixed-case hex", "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff", want, nil},
		{"longer hex", keyHex + "abcd", append(append([]byte(nil), want...), 0xab, 0xcd), nil},
		{"raw 32 bytes", string(raw), raw, nil},
		{"raw keeps trailing newline", string(rawNL), rawNL, nil},
		{"raw binary with NUL", string(append([]byte{0, 0xff, '\n'}, raw...)), append([]byte{0, 0xff, '\n'}, raw...), nil},
		{"short hex", keyHex[:62], nil, ErrShortKey},
		{"short raw", "shortsecretkey!", nil, ErrShortKey},
		{"empty", "", nil, ErrShortKey},
		{"whitespace only", " \n\t ", nil, ErrShortKey},
		{"odd hex digits", keyHex + "a\n", nil, ErrOddHex},
		{"hex with inner space is raw", keyHex[:32] + " " + keyHex[32:], []byte(keyHex[:32] + " " + keyHex[32:]), nil},
	}
	for _, c := range cases {
		got, err := ParseKey([]byte(c.in))
		if !errors.Is(err, c.err) || !bytes.Equal(got, c.want) {
			t.Errorf("%s: ParseKey = %x, %v; want %x, %v", c.name, got, err, c.want, c.err)
		}
		if err != nil {
			checkErrorText(t, c.name, err)
			if k := trimSpace([]byte(c.in)); len(k) > 0 && strings.Contains(err.Error(), string(k)) {
				t.Errorf("%s: error %q contains the key", c.name, err)
			}
		}
	}
}

// checkErrorText fails if err's text is anything but a fixed message
// template with numbers, so it cannot carry key material.
func checkErrorText(t *testing.T, name string, err error) {
	t.Helper()
	msg := err.Error()
	stripped := strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return -1
		}
		return r
	}, msg)
	switch stripped {
	case "pseudo: key too short:  bytes, need at least ",
		"pseudo: key too short: hex-decoded  bytes, need at least ",
		"pseudo: key looks like hex but has an odd number of digits ( digits)":
	default:
		t.Errorf("%s: unexpected error text %q", name, msg)
	}
}

func TestParseKeyDoesNotAlias(t *testing.T) {
	in := []byte("this raw key is not hex, 32 byt!")
	k, err := ParseKey(in)
	if err != nil {
		t.Fatal(err)
	}
	in[0] = 'X'
	if k[0] != 't' {
		t.Error("ParseKey result aliases its input")
	}
}

func TestLoadKeyFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.key")
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(good, []byte(keyHex+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(short, []byte("tooshortsecret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKeyFile(good)
	if err != nil || hex.EncodeToString(k) != keyHex {
		t.Errorf("LoadKeyFile(good) = %x, %v", k, err)
	}
	_, err = LoadKeyFile(short)
	if !errors.Is(err, ErrShortKey) || !strings.Contains(err.Error(), short) || strings.Contains(err.Error(), "tooshortsecret") {
		t.Errorf("LoadKeyFile(short) error = %v", err)
	}
	missing := filepath.Join(dir, "missing.key")
	_, err = LoadKeyFile(missing)
	if !errors.Is(err, fs.ErrNotExist) || strings.Count(err.Error(), missing) != 1 {
		t.Errorf("LoadKeyFile(missing) error = %v", err)
	}
}

func TestGenerateEncodeKey(t *testing.T) {
	k1, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := GenerateKey()
	if len(k1) != MinKeyBytes || bytes.Equal(k1, k2) {
		t.Fatalf("GenerateKey: len %d, equal to second key: %v", len(k1), bytes.Equal(k1, k2))
	}
	enc := EncodeKey(k1)
	if len(enc) != 2*MinKeyBytes+1 || enc[len(enc)-1] != '\n' || string(enc) != strings.ToLower(string(enc)) {
		t.Errorf("EncodeKey = %q", enc)
	}
	back, err := ParseKey(enc)
	if err != nil || !bytes.Equal(back, k1) {
		t.Errorf("ParseKey(EncodeKey(k)) = %x, %v; want %x", back, err, k1)
	}
}

func TestEpochKeyKnownAnswers(t *testing.T) {
	for _, c := range epochCases {
		want := refHMAC(testMaster, []byte("tarn/epoch/v1/"+c.label))
		if got := EpochKey(testMaster, c.rot, c.t); got != want {
			t.Errorf("%s: EpochKey = %x, want %x", c.name, got, want)
		}
	}
}

// FuzzParseKey checks: no panic; success means >= MinKeyBytes bytes and a
// lossless EncodeKey round trip; errors hold only fixed text and numbers.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"", "\n", keyHex, keyHex + "\n", strings.ToUpper(keyHex), keyHex + "a",
		"this raw key is not hex, 32 byt!", "\x00\xff\xfe", keyHex[:10], " \t" + keyHex + "\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseKey(b)
		if err != nil {
			checkErrorText(t, "fuzz", err)
			return
		}
		if len(k) < MinKeyBytes {
			t.Fatalf("accepted %d-byte key", len(k))
		}
		back, err := ParseKey(EncodeKey(k))
		if err != nil || !bytes.Equal(back, k) {
			t.Fatalf("EncodeKey round trip failed: %v", err)
		}
	})
}
