package syslog

// Header is what a message's syslog header says of its source, as far
// as the stream labels need it: the priority (facility and severity),
// the sending host and the application. The rules' syslog format parses
// the whole line again (time, pid, msgid, structured data, the message's
// identifiers); Header only reads the fields that become labels.
type Header struct {
	// Priority is the PRI value (facility × 8 + severity), -1 if the
	// message has no valid "<PRI>".
	Priority int
	// Host is the HOSTNAME, nil if absent ("-", or a BSD line without
	// one) or not a plain host name or address.
	Host []byte
	// App is the APP-NAME (RFC 5424) or the TAG's program (RFC 3164),
	// nil if absent or not a plain program name.
	App []byte
}

// Facility is the facility keyword of the priority, "" if there is none.
func (h *Header) Facility() string {
	if h.Priority < 0 {
		return ""
	}
	return facilities[h.Priority>>3]
}

// Severity is the severity keyword of the priority, "" if there is none.
func (h *Header) Severity() string {
	if h.Priority < 0 {
		return ""
	}
	return severities[h.Priority&7]
}

// facilities are the facility keywords of RFC 5424's table, as rsyslog
// and syslog(3) name them.
var facilities = [24]string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}

// severities are the severity keywords (syslog(3), rsyslog).
var severities = [8]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// ParseHeader reads the header of an RFC 5424 or RFC 3164 message (with
// an RFC 3339 time too, as rsyslog forwards it) without allocating.
// It never fails: what it cannot read is left out.
func ParseHeader(m []byte) Header {
	h := Header{Priority: -1}
	i := 0
	if p, n := priority(m); n > 0 {
		h.Priority, i = p, n
	}
	if h.Priority >= 0 && i+1 < len(m) && m[i] == '1' && m[i+1] == ' ' {
		// RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP ...
		_, i = token(m, i+2)
		host, j := token(m, i)
		app, _ := token(m, j)
		h.Host, h.App = hostName(host), appName(app)
		return h
	}
	i = skipTime(m, i)
	t1, j := token(m, i)
	if isTagToken(t1) { // no host: "Dec  2 01:13:17 sshd[1]: msg"
		h.App = appName(tagProgram(t1))
		return h
	}
	t2, _ := token(m, j)
	if !isTagToken(t2) {
		return h // not a BSD header: nothing is taken for a host
	}
	h.Host, h.App = hostName(t1), appName(tagProgram(t2))
	return h
}

// priority reads "<PRI>" (0..191, no leading zeros but "<0>") at the
// start of m and returns it and its length, or n == 0.
func priority(m []byte) (pri, n int) {
	if len(m) < 3 || m[0] != '<' {
		return 0, 0
	}
	j := 1
	for j < len(m) && j <= 3 && '0' <= m[j] && m[j] <= '9' {
		pri = pri*10 + int(m[j]-'0')
		j++
	}
	if j == 1 || j == len(m) || m[j] != '>' || pri > 191 || j > 2 && m[1] == '0' {
		return 0, 0
	}
	return pri, j + 1
}

// token returns the token at m[i:] (up to a space) and the index after
// it and its space.
func token(m []byte, i int) (tok []byte, next int) {
	if i >= len(m) {
		return nil, len(m)
	}
	j := i
	for j < len(m) && m[j] != ' ' {
		j++
	}
	if j < len(m) {
		return m[i:j], j + 1
	}
	return m[i:j], j
}

// skipTime returns the index after a BSD time ("Dec  2 01:13:17 ", or
// "Dec 2 ...") or an RFC 3339 one (a token starting with a digit) at
// m[i:], or i.
func skipTime(m []byte, i int) int {
	b := m[i:]
	if len(b) >= 16 && b[3] == ' ' && isLetter(b[0]) && b[9] == ':' && b[12] == ':' && b[15] == ' ' {
		return i + 16
	}
	if len(b) >= 15 && b[3] == ' ' && isLetter(b[0]) && b[8] == ':' && b[11] == ':' && b[14] == ' ' {
		return i + 15
	}
	if len(b) > 0 && '0' <= b[0] && b[0] <= '9' {
		if _, j := token(m, i); j-i >= 20 {
			return j
		}
	}
	return i
}

// isTagToken reports whether t is a TAG: "prog:" or "prog[pid]:", or
// "prog[pid]" without the colon, as rsyslog's traditional forward format
// writes the tag of an RFC 5424 message.
func isTagToken(t []byte) bool {
	if len(t) >= 4 && t[len(t)-1] == ']' {
		i := len(t) - 2
		for i > 0 && '0' <= t[i] && t[i] <= '9' {
			i--
		}
		return i > 0 && i < len(t)-2 && t[i] == '['
	}
	if len(t) < 2 || t[len(t)-1] != ':' {
		return false
	}
	for _, c := range t[:len(t)-1] {
		if c == '[' {
			return t[len(t)-2] == ']'
		}
	}
	return true
}

// tagProgram is the program of a TAG (isTagToken).
func tagProgram(t []byte) []byte {
	for i, c := range t {
		if c == '[' || c == ':' {
			return t[:i]
		}
	}
	return t
}

// hostName returns t if it is a host name, an IPv4 or an IPv6 address
// (letters, digits, '.', '-', '_', ':', at most 255 bytes), else nil.
func hostName(t []byte) []byte {
	if len(t) == 0 || len(t) > 255 || len(t) == 1 && t[0] == '-' {
		return nil
	}
	for _, c := range t {
		if !(isLetter(c) || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':') {
			return nil
		}
	}
	return t
}

// appName returns t if it is a program name (a letter, '_' or '-' first,
// then letters, digits and "-_./()", at most 48 bytes: as the rules'
// syslog format keeps syslog.program), else nil.
func appName(t []byte) []byte {
	if len(t) == 0 || len(t) > 48 || !(isLetter(t[0]) || t[0] == '_' || t[0] == '-') || len(t) == 1 && t[0] == '-' {
		return nil
	}
	for _, c := range t {
		if !(isLetter(c) || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/' || c == '(' || c == ')') {
			return nil
		}
	}
	return t
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
