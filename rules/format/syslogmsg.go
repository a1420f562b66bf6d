package format

import (
	"bytes"

	"github.com/tarn-project/tarn/rules/ipaddr"
)

// Field names of the syslog message parsers (sub-fields of syslog.message).
var (
	nameSSHDUser    = []byte("sshd.user")
	nameSSHDRhost   = []byte("sshd.rhost")
	nameSudoUser    = []byte("sudo.user")
	nameSudoPWD     = []byte("sudo.pwd")
	nameSudoRunas   = []byte("sudo.runas")
	nameSudoTTY     = []byte("sudo.tty")
	nameSudoCommand = []byte("sudo.command")
	nameSudoOther   = []byte("sudo.other")
	nameKVUser      = []byte("user")
	namePAMUser     = []byte("pam.user")
	namePAMRuser    = []byte("pam.ruser")
	namePostfixUser = []byte("postfix.user")
	nameClient      = []byte("postfix.client")
	nameClientHost  = []byte("postfix.client.host")
	nameClientIP    = []byte("postfix.client.ip")
	nameDovecotUser = []byte("dovecot.user")
	nameDovecotRip  = []byte("dovecot.rip")
	nameDovecotSess = []byte("dovecot.session")
	pamPrefix       = []byte("pam_")
	suFor           = []byte("su for ")
	suBy            = []byte(" by ")
	pamMore         = []byte("PAM ")
	sudoColon       = []byte(" : ")
	sudoSep         = []byte(" ; ")
	sshdFrom        = []byte(" from ")
	sshdPort        = []byte(" port ")
	sshdPreauth     = []byte(" [preauth]")
	sshdFor         = []byte(" for ")
	sshdUserCap     = []byte("User ")
	sshdNotAllowed  = []byte(" not allowed")
	sshdUserMarkers = [...][]byte{[]byte("invalid user "), []byte("Invalid user "), []byte("illegal user "), []byte("Illegal user "), []byte("authenticating user "), []byte("for user "), []byte("from user "), []byte("authentication failures for ")}
	dovecotServices = [...]string{"imap", "pop3", "lmtp", "submission", "managesieve", "pam", "passwd", "passwd-file", "shadow", "sql", "ldap", "checkpassword", "auth", "doveadm"}
	sudoKeys        = [...]struct {
		key  string
		name []byte
	}{{"TTY", nameSudoTTY}, {"PWD", nameSudoPWD}, {"USER", nameSudoRunas}, {"COMMAND", nameSudoCommand}}
)

// kvTable names the key=value pairs of one program's messages.
type kvTable struct {
	keys   []kvName
	user   []byte // name of "for user X" / "of user X" / "by X(uid=..)"
	ruser  []byte // name of "by X(uid=..)", nil for user
	client bool   // "from host[IP]" and "client=host[IP]" are postfix.client
	parens bool   // '(' and ')' separate words: "root(uid=0)"
}

// kvName maps a key to its field name.
type kvName struct {
	key  string
	name []byte
}

// kvNames names each key prefix+key.
func kvNames(prefix string, keys ...string) []kvName {
	out := make([]kvName, len(keys))
	for i, k := range keys {
		out[i] = kvName{k, []byte(prefix + k)}
	}
	return out
}

var (
	pamTable     = &kvTable{keys: kvNames("pam.", "user", "ruser", "rhost", "logname", "tty", "uid", "euid"), user: namePAMUser, ruser: namePAMRuser, parens: true}
	postfixTable = &kvTable{keys: kvNames("postfix.", "sasl_username", "sasl_sender", "from", "to", "orig_to", "helo", "relay"), user: namePostfixUser, client: true}
	dovecotTable = &kvTable{keys: kvNames("dovecot.", "user", "rip", "lip"), user: nameDovecotUser}
	genericTable = &kvTable{user: nameKVUser}
	shadowTable  = &kvTable{keys: []kvName{{"name", nameKVUser}, {"home", []byte("shadow.home")}}, user: nameKVUser}
)

// syslogMessage adds syslog.message for b[s:e] and, by the program that
// wrote it, the identifiers inside it as sub-fields.
func (r *Record) syslogMessage(prog []byte, s, e int) {
	m := r.addField(nameSyslogMessage, Span{}, Span{s, e}, Bare, false, -1)
	b := r.Line
	msg := b[s:e]
	switch {
	case s >= e:
	case bytes.HasPrefix(msg, pamPrefix) || bytes.HasPrefix(msg, pamMore) || bytes.Contains(prog, []byte("(pam_unix)")):
		r.scanKV(m, s, e, pamTable)
	case isProgram(prog, "nginx") && r.nginxAt(s, e, m):
	case isProgram(prog, "sshd"):
		r.parseSSHD(m, s, e)
	case isProgram(prog, "su"):
		r.parseSu(m, s, e)
	case isShadowProgram(prog):
		r.scanKV(m, s, e, shadowTable)
	case isProgram(prog, "sudo"):
		r.parseSudo(m, s, e)
	case isProgram(prog, "postfix"):
		r.scanKV(m, s, e, postfixTable)
	case (isProgram(prog, "cron") || isProgram(prog, "CRON")) && msg[0] == '(':
		if c := bytes.IndexByte(msg, ')'); c > 1 {
			r.addField(nameKVUser, Span{}, Span{s + 1, s + c}, Bare, false, m)
		}
	case isProgram(prog, "dovecot"):
		r.scanKV(m, r.dovecotPrefix(m, s, e), e, dovecotTable)
	default:
		r.scanKV(m, s, e, genericTable)
	}
}

// isProgram reports whether prog is name or name followed by '-', '/' or
// '(' (sshd-session, postfix/smtpd, sshd(pam_unix)).
func isProgram(prog []byte, name string) bool {
	if len(prog) < len(name) || string(prog[:len(name)]) != name {
		return false
	}
	return len(prog) == len(name) || prog[len(name)] == '-' || prog[len(name)] == '/' || prog[len(name)] == '('
}

// index returns the index of pat in b[s:e] as an offset into b, or -1.
func index(b []byte, s, e int, pat []byte) int {
	if s >= e {
		return -1
	}
	if j := bytes.Index(b[s:e], pat); j >= 0 {
		return s + j
	}
	return -1
}

// lastIndex is index for the last occurrence.
func lastIndex(b []byte, s, e int, pat []byte) int {
	if s >= e {
		return -1
	}
	if j := bytes.LastIndex(b[s:e], pat); j >= 0 {
		return s + j
	}
	return -1
}

// parseSSHD adds sshd.user and every client address or host name of an
// OpenSSH message.
func (r *Record) parseSSHD(m, s, e int) {
	b := r.Line
	pos := s
	if us, ue := sshdUser(b, s, e); us >= 0 {
		if ue > us {
			r.addField(nameSSHDUser, Span{}, Span{us, ue}, Bare, false, m)
		}
		pos = ue
	}
	r.scanHosts(m, pos, e, nameSSHDRhost)
}

// sshdUser returns the span of the user name of an sshd message, or -1.
// The name runs from its marker ("invalid user ", "for ", ...) to the last
// " from ", or to the address before " port ", or to " [preauth]": sshd
// logs names with spaces as they were sent.
func sshdUser(b []byte, s, e int) (int, int) {
	if bytes.HasPrefix(b[s:e], sshdUserCap) {
		us := s + len(sshdUserCap)
		ue := index(b, us, e, sshdFrom)
		if ue < 0 {
			ue = index(b, us, e, sshdNotAllowed)
		}
		if ue < 0 {
			ue = skipToken(b, us, e)
		}
		return us, ue
	}
	us := -1
	for _, mk := range sshdUserMarkers {
		if j := index(b, s, e, mk); j >= 0 && (us < 0 || j+len(mk) < us) {
			us = j + len(mk)
		}
	}
	if us < 0 {
		f := index(b, s, e, sshdFor)
		if f < 0 || index(b, f, e, sshdFrom) < 0 {
			return -1, -1
		}
		us = f + len(sshdFor)
	}
	if j := lastIndex(b, us, e, sshdFrom); j >= 0 {
		return us, j
	}
	if p := lastIndex(b, us, e, sshdPort); p >= 0 {
		if sp := bytes.LastIndexByte(b[us:p], ' '); sp >= 0 && looksIP(b[us+sp+1:p]) {
			return us, us + sp
		}
	}
	if p := index(b, us, e, sshdPreauth); p >= 0 {
		return us, p
	}
	return us, e
}

// scanHosts adds a field name for every word of b[s:e] that is an IP
// address, or a host name after "from", "for" or "to"; a quoted word after
// "user" is an sshd.user ("client user \"dan\""), as is the name of
// "(name,service)" after "allowed:" or "->".
func (r *Record) scanHosts(m, s, e int, name []byte) {
	b := r.Line
	var prev []byte
	for i := s; i < e; {
		if b[i] == ' ' {
			i++
			continue
		}
		ws := i
		if b[i] == '"' && (string(prev) == "user" || string(prev) == "host") {
			if q := bytes.IndexByte(b[i+1:e], '"'); q > 0 {
				r.addField(sshdQuotedName(prev, name), Span{}, Span{i + 1, i + 1 + q}, Bare, false, m)
			}
		}
		i = skipToken(b, i, e)
		w := b[ws:i]
		ts, te := trimWord(b, ws, i)
		v := b[ts:te]
		switch {
		case b[ws] == '(' && (string(prev) == "allowed:" || string(prev) == "->"):
			if c := bytes.IndexByte(w, ','); c > 1 {
				r.addField(nameSSHDUser, Span{}, Span{ws + 1, ws + c}, Bare, false, m)
			}
		case b[ws] == '"':
		case looksIP(v) || (string(prev) == "from" || string(prev) == "for" || string(prev) == "to") && looksHost(v):
			r.addField(name, Span{}, Span{ts, te}, Bare, false, m)
		}
		prev = w
	}
}

// sshdQuotedName is the field of a quoted word after "user" or "host".
func sshdQuotedName(prev, host []byte) []byte {
	if string(prev) == "user" {
		return nameSSHDUser
	}
	return host
}

// trimWord strips brackets and trailing punctuation from the word b[s:e].
func trimWord(b []byte, s, e int) (int, int) {
	if s < e && (b[s] == '[' || b[s] == '(' || b[s] == '<') {
		s++
	}
	for e > s && bytes.IndexByte([]byte("]),;:.>'\""), b[e-1]) >= 0 {
		if b[e-1] == ':' && looksIP(b[s:e]) {
			break // "::"
		}
		e--
	}
	return s, e
}

// looksIP reports whether v is an IPv4 or IPv6 address.
func looksIP(v []byte) bool {
	if len(v) < 2 {
		return false
	}
	if _, ok := ipaddr.ParseV4(v); ok {
		return true
	}
	if bytes.IndexByte(v, ':') < 0 {
		return false
	}
	_, _, _, ok := ipaddr.ParseV6(v)
	return ok
}

// looksHost reports whether v looks like a DNS name: letters, digits, '-'
// and '.', with a dot and a letter.
func looksHost(v []byte) bool {
	dot, letter := false, false
	for _, c := range v {
		switch {
		case c == '.':
			dot = true
		case 'a' <= c|0x20 && c|0x20 <= 'z':
			letter = true
		case '0' <= c && c <= '9' || c == '-' || c == '_':
		default:
			return false
		}
	}
	return dot && letter
}

// shadowPrograms are the shadow-utils programs whose messages name users
// and groups ("new user: name=alice, UID=1001, home=/home/alice").
var shadowPrograms = [...]string{"useradd", "userdel", "usermod", "groupadd", "groupdel", "groupmod", "passwd", "chpasswd", "chage", "gpasswd", "chfn", "chsh", "newusers"}

// isShadowProgram reports whether prog is one of shadowPrograms.
func isShadowProgram(prog []byte) bool {
	for _, n := range shadowPrograms {
		if isProgram(prog, n) {
			return true
		}
	}
	return false
}

// parseSu adds the users of su's "Successful su for X by Y", "FAILED su
// for X by Y" and "+ /dev/pts/0 Y:X" as user fields.
func (r *Record) parseSu(m, s, e int) {
	b := r.Line
	if f := index(b, s, e, suFor); f >= 0 {
		us := f + len(suFor)
		ue := index(b, us, e, suBy)
		if ue < 0 {
			ue = skipToken(b, us, e)
		}
		r.addField(nameKVUser, Span{}, Span{us, ue}, Bare, false, m)
		if ue+len(suBy) < e && index(b, ue, e, suBy) == ue {
			bs := ue + len(suBy)
			r.addField(nameKVUser, Span{}, Span{bs, skipToken(b, bs, e)}, Bare, false, m)
		}
		return
	}
	if e-s > 2 && (b[s] == '+' || b[s] == '-') && b[s+1] == ' ' {
		w := skipToken(b, s+2, e) + 1 // after the tty
		if c := bytes.IndexByte(b[min(w, e):e], ':'); c > 0 {
			r.addField(nameKVUser, Span{}, Span{w, w + c}, Bare, false, m)
			if w+c+1 < e {
				r.addField(nameKVUser, Span{}, Span{w + c + 1, skipToken(b, w+c+1, e)}, Bare, false, m)
			}
		}
		return
	}
	r.scanKV(m, s, e, pamTable)
}

// parseSudo parses "user : TTY=pts/0 ; PWD=/home/user ; USER=root ;
// COMMAND=/bin/ls -l" (a reason such as "3 incorrect password attempts"
// may precede TTY). COMMAND runs to the end of the line.
func (r *Record) parseSudo(m, s, e int) {
	b := r.Line
	for s < e && b[s] == ' ' {
		s++
	}
	c := index(b, s, e, sudoColon)
	if c <= s || bytes.IndexByte(b[s:c], ' ') >= 0 {
		r.scanKV(m, s, e, genericTable)
		return
	}
	r.addField(nameSudoUser, Span{}, Span{s, c}, Bare, false, m)
	for i := c + len(sudoColon); i < e; {
		se := index(b, i, e, sudoSep)
		if se < 0 {
			se = e
		}
		eq := bytes.IndexByte(b[i:se], '=')
		if eq > 0 {
			eq += i
			name := sudoName(b[i:eq])
			if sameName(name, nameSudoCommand) {
				se = e
			}
			r.addField(name, Span{i, eq}, Span{eq + 1, se}, Bare, false, m)
		}
		i = se + len(sudoSep)
	}
}

// sudoName returns the field name of a sudo key.
func sudoName(k []byte) []byte {
	for _, n := range sudoKeys {
		if string(k) == n.key {
			return n.name
		}
	}
	return nameSudoOther
}

// dovecotPrefix adds dovecot.user, dovecot.rip and dovecot.session of a
// leading "imap(user)<pid><session>" (mail_log_prefix) or
// "auth-worker(1): Info: pam(user,1.2.3.4,<session>):" and returns where
// the key=value pairs start.
func (r *Record) dovecotPrefix(m, s, e int) int {
	b := r.Line
	for k := 0; k < 4 && s < e; k++ {
		for s < e && b[s] == ' ' {
			s++
		}
		p := s
		for p < e && b[p] != '(' && b[p] != ' ' && b[p] != ':' {
			p++
		}
		if p < e && b[p] == ':' && isDovecotLead(b[s:p]) {
			s = p + 1
			continue
		}
		if p >= e || b[p] != '(' {
			return s
		}
		c := bytes.IndexByte(b[p:e], ')')
		if c < 0 {
			return s
		}
		c += p
		if isDovecotService(b[s:p]) {
			r.dovecotParen(m, p+1, c)
		}
		s = r.dovecotAngles(m, c+1, e)
		for s < e && b[s] != ' ' {
			s++
		}
	}
	return s
}

// dovecotLeads are the words before a passdb's "sql(user,ip,<session>)":
// the process ("auth:") and the log level ("auth-worker(1): Info:").
var dovecotLeads = [...]string{"auth", "Debug", "Info", "Warning", "Error", "Fatal", "Panic"}

// isDovecotLead reports whether w is one of dovecotLeads.
func isDovecotLead(w []byte) bool {
	for _, n := range dovecotLeads {
		if string(w) == n {
			return true
		}
	}
	return false
}

// isDovecotService reports whether name is a dovecot service or passdb
// whose parentheses hold a user name.
func isDovecotService(name []byte) bool {
	for _, n := range dovecotServices {
		if string(name) == n {
			return true
		}
	}
	return false
}

// dovecotParen adds the user, address and session of
// "user,1.2.3.4,<session>" (a passdb's or userdb's log prefix).
func (r *Record) dovecotParen(m, s, e int) {
	b := r.Line
	u := commaEnd(b, s, e)
	if u > s {
		r.addField(nameDovecotUser, Span{}, Span{s, u}, Bare, false, m)
	}
	if a := u + 1; a < e {
		ae := commaEnd(b, a, e)
		if looksIP(b[a:ae]) {
			r.addField(nameDovecotRip, Span{}, Span{a, ae}, Bare, false, m)
		}
		if ss := ae + 1; ss < e && b[ss] == '<' && b[e-1] == '>' && e-ss > 2 {
			r.addField(nameDovecotSess, Span{}, Span{ss + 1, e - 1}, Bare, false, m)
		}
	}
}

// commaEnd returns the index of the first ',' in b[s:e], or e.
func commaEnd(b []byte, s, e int) int {
	if j := bytes.IndexByte(b[s:e], ','); j >= 0 {
		return s + j
	}
	return e
}

// dovecotAngles adds the session id of the "<pid><session>" that
// dovecot's default mail_log_prefix "%s(%u)<%{pid}><%{session}>: " puts
// right after "imap(user)", and returns the index after the groups. A
// group of digits is the pid; any other group is a session id.
func (r *Record) dovecotAngles(m, s, e int) int {
	b := r.Line
	for s < e && b[s] == '<' {
		c := bytes.IndexByte(b[s+1:e], '>')
		if c < 0 {
			return s
		}
		c += s + 1
		if c > s+1 && !isDigits(b[s+1:c]) {
			r.addField(nameDovecotSess, Span{}, Span{s + 1, c}, Bare, false, m)
		}
		s = c + 1
	}
	return s
}
