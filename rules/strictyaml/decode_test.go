package strictyaml

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

type inner struct {
	Prefix int `yaml:"ipv4_prefix"`
}

type shorthand struct {
	Name  string
	Inner *inner `yaml:"inner"`
}

func (s *shorthand) DecodeScalar(v string) error {
	if v == "bad" {
		return errors.New("unknown action")
	}
	s.Name = v
	return nil
}

type doc struct {
	Name    string               `yaml:"name"`
	Enabled bool                 `yaml:"enabled"`
	Ratio   float64              `yaml:"ratio"`
	Age     Duration             `yaml:"max_age"`
	Size    Size                 `yaml:"max_bytes"`
	List    []string             `yaml:"list"`
	Fields  map[string]shorthand `yaml:"fields"`
}

func TestDecodeValid(t *testing.T) {
	src := "name: x\nenabled: true\nratio: 1\nmax_age: 7d\nmax_bytes: 128MiB\nlist: [a, b]\n" +
		"fields:\n  a: pseudonymize\n  b: {inner: {ipv4_prefix: 16}}\n"
	var d doc
	if _, err := Decode("r.yaml", []byte(src), &d); err != nil {
		t.Fatal(err)
	}
	if d.Name != "x" || !d.Enabled || d.Ratio != 1 || time.Duration(d.Age) != 168*time.Hour ||
		d.Size != 128<<20 || len(d.List) != 2 || d.Fields["a"].Name != "pseudonymize" ||
		d.Fields["b"].Inner.Prefix != 16 {
		t.Fatalf("decoded %+v", d)
	}
}

func TestDecodeErrorsAllAtOnce(t *testing.T) {
	src := "name: x\nenabld: true\nratio: many\nmax_age: 7 days\nlist: a\nfields:\n  a: bad\n  b:\n    inner:\n      ipv4_prefix: x\n  b: y\n"
	var d doc
	_, err := Decode("r.yaml", []byte(src), &d)
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`r.yaml:2: enabld: unknown field (did you mean "enabled"?)`,
		`r.yaml:3: ratio: expected a number, got "many"`,
		`r.yaml:4: max_age: invalid duration "7 days"`,
		`r.yaml:5: list: expected a list, got "a"`,
		`r.yaml:7: fields.a: unknown action`,
		`r.yaml:10: fields.b.inner.ipv4_prefix: expected an integer, got "x"`,
		`r.yaml:11: fields.b: duplicate key`,
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("missing %q in:\n%s", w, msg)
		}
	}
}

func TestLocateValidationErrors(t *testing.T) {
	var d doc
	pos, err := Decode("r.yaml", []byte("name: x\nfields:\n  a:\n    inner:\n      ipv4_prefix: 40\n"), &d)
	if err != nil {
		t.Fatal(err)
	}
	verr := errors.Join(Errorf("fields.a.inner.ipv4_prefix", "must be 0..32, got %d", 40), Errorf("fields.a.inner.missing", "required"))
	got := pos.Locate(verr).Error()
	want := "r.yaml:5: fields.a.inner.ipv4_prefix: must be 0..32, got 40\nr.yaml:4: fields.a.inner.missing: required"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestSyntaxError(t *testing.T) {
	var d doc
	_, err := Decode("r.yaml", []byte("name: [x\n"), &d)
	if err == nil || !strings.HasPrefix(err.Error(), "r.yaml:") || !strings.Contains(err.Error(), "line") {
		t.Fatalf("got %v", err)
	}
}

func TestUnits(t *testing.T) {
	for s, want := range map[string]time.Duration{"168h": 168 * time.Hour, "7d": 168 * time.Hour, "1w": 168 * time.Hour, "1d12h": 36 * time.Hour, "90s": 90 * time.Second} {
		if got, err := ParseDuration(s); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "d", "7x", "-1h", "1.5d"} {
		if _, err := ParseDuration(s); err == nil {
			t.Errorf("ParseDuration(%q) accepted", s)
		}
	}
	for s, want := range map[string]int64{"512": 512, "256KiB": 256 << 10, "1GiB": 1 << 30, "10MB": 10e6, "3 MiB": 3 << 20} {
		if got, err := ParseSize(s); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "MiB", "-1", "1.5GiB", "1PiB"} {
		if _, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q) accepted", s)
		}
	}
}

// TestAliasBomb: nine levels of ten aliases would expand to 10^9 values.
func TestAliasBomb(t *testing.T) {
	src := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		src += n + ": &" + n + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = n
	}
	var target map[string][][][][][][][][][]string
	_, err := Decode("bomb.yaml", []byte(src), &target)
	if err == nil || !strings.Contains(err.Error(), "document too large") {
		t.Fatalf("alias bomb not stopped: %v", err)
	}
}

// wrapped decodes a nested document itself and validates it.
type wrapped struct{ inner inner }

func (w *wrapped) DecodeNode(p *Positions, n *yaml.Node, path string) error {
	if err := DecodeNode(p, n, path, &w.inner); err != nil {
		return err
	}
	if w.inner.Prefix > 32 {
		return Prefix(path, Errorf("ipv4_prefix", "must be 0..32, got %d", w.inner.Prefix))
	}
	return nil
}

func TestNodeDecoderAndPrefix(t *testing.T) {
	var d struct {
		W wrapped `yaml:"w"`
	}
	_, err := Decode("n.yaml", []byte("w:\n  ipv4_prefix: 40\n"), &d)
	if err == nil || err.Error() != "n.yaml:2: w.ipv4_prefix: must be 0..32, got 40" {
		t.Fatalf("got %v", err)
	}
	_, err = Decode("n.yaml", []byte("w:\n  ipv4_prefx: 4\n"), &d)
	if err == nil || !strings.Contains(err.Error(), `n.yaml:2: w.ipv4_prefx: unknown field (did you mean "ipv4_prefix"?)`) {
		t.Fatalf("got %v", err)
	}
}

type withInline struct {
	Name  string `yaml:"name"`
	Extra inner  `yaml:",inline"`
}

func TestInlineFields(t *testing.T) {
	var d withInline
	if _, err := Decode("r.yaml", []byte("name: x\nipv4_prefix: 8\n"), &d); err != nil {
		t.Fatal(err)
	}
	if d.Name != "x" || d.Extra.Prefix != 8 {
		t.Fatalf("decoded %+v", d)
	}
	_, err := Decode("r.yaml", []byte("name: x\nipv4_prefx: 8\n"), &d)
	if err == nil || !strings.Contains(err.Error(), `r.yaml:2: ipv4_prefx: unknown field (did you mean "ipv4_prefix"?)`) {
		t.Fatalf("error %v", err)
	}
}

func TestUnitsPrint(t *testing.T) {
	for in, want := range map[string]string{"7d": "7d", "168h": "7d", "90m": "1h30m0s"} {
		var d Duration
		if err := d.DecodeScalar(in); err != nil || d.String() != want {
			t.Errorf("duration %q prints as %q (%v), want %q", in, d.String(), err, want)
		}
	}
	for in, want := range map[string]string{"256KiB": "256KiB", "1GiB": "1GiB", "1000": "1000", "2048": "2KiB", "0": "0"} {
		var z Size
		if err := z.DecodeScalar(in); err != nil || z.String() != want {
			t.Errorf("size %q prints as %q (%v), want %q", in, z.String(), err, want)
		}
	}
}
