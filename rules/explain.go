package rules

import (
	"strings"

	"github.com/tarn-project/tarn/rules/detect"
)

// Detector describes one built-in free-text detector of an engine, for
// `tarn rules explain`.
type Detector struct {
	// Kind is the detector kind's name, as in detect.actions.
	Kind string
	// Action is the name of the action its matches get, "keep" when off.
	Action string
	// Finds says what it finds, in which spellings.
	Finds string
}

// detectorFinds says what each built-in kind finds.
var detectorFinds = [detect.NumKinds]string{
	detect.IPv4:    "IPv4 addresses, also inside reverse-DNS host names (1-2-3-4.dyn.example.net, p5B0C1D2E.dip0.t-ipconnect.de), not four-part versions",
	detect.IPv6:    "IPv6 addresses, with zones, brackets and IPv4-mapped forms",
	detect.Email:   "e-mail addresses, URL-encoded too, with plus-tags, quoted local parts and display names (\"Name\" <addr>)",
	detect.Phone:   "phone numbers valid by libphonenumber's metadata: international, and national spellings of the regions %s",
	detect.IBAN:    "IBANs with a valid mod-97 checksum, grouped or not",
	detect.Card:    "Luhn-valid payment card numbers, grouped or not",
	detect.JWT:     "JSON Web Tokens (JWS and JWE compact form)",
	detect.Auth:    "HTTP credentials after Basic, Bearer and Authorization",
	detect.Secret:  "values of secret parameters and headers, URL passwords, and vendor API keys of gitleaks' catalogue",
	detect.Token:   "values of token, session and user parameters, user names in URL paths (/users/, /user/, /u/, /~, /profile/, /account/) and after the words user/username/login, and string arguments PHP cut in stack traces",
	detect.Address: "postal addresses in free text: street, house number, postcode and town",
}

// Detectors lists the engine's built-in free-text detectors in kind order
// with the action their matches get.
func (e *Engine) Detectors() []Detector {
	var out []Detector
	for k := detect.Kind(0); k < detect.Custom; k++ {
		name := "keep"
		if a := e.kinds[k]; a != nil {
			name = opName(e.cfg.Detect.Actions, k)
		}
		finds := detectorFinds[k]
		if k == detect.Phone {
			finds = strings.Replace(finds, "%s", strings.Join(e.phones.Regions(), ", "), 1)
		}
		out = append(out, Detector{Kind: k.String(), Action: name, Finds: finds})
	}
	return out
}

// opName returns the name of the action of kind k: the one the rules
// give, else the default.
func opName(actions map[string]Action, k detect.Kind) string {
	a, ok := actions[k.String()]
	if !ok {
		a = DefaultDetectAction(k)
	}
	n, _ := a.name()
	return n
}
