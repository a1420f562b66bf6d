package leakcorpus

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

var kindFuncs = map[string]func(b *rb, i int, t time.Time){
	"nginx-access": nginxAccess,
	"nginx-error":  nginxError,
	"apache-vhost": apacheVhost,
	"caddy":        caddy,
	"traefik":      traefik,
	"llm-gateway":  llmGateway,
	"go-logfmt":    goLogfmt,
	"auth-syslog":  authSyslog,
	"mail-syslog":  mailSyslog,
	"cri":          cri,
	"stacktrace":   stacktrace,
	"plain-text":   plainText,
}

func (b *rb) ua() string {
	switch b.g.r.IntN(3) {
	case 0:
		return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " + b.chrome() + " Safari/537.36"
	case 1:
		return b.l("version3", "okhttp/4.12.0")
	}
	return "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
}

// nginx-access: combined plus "$http_x_forwarded_for" (the lnav shop log's
// shape), with identifiers in paths, query strings and referers.
func nginxAccess(b *rb, i int, t time.Time) {
	p := b.g.person()
	client := b.anyIP(i)
	user := "-"
	if i%2 == 0 {
		user = b.user(p)
	}
	status := b.l("status_bytes", fmt.Sprintf(`" %d %d "`, []int{200, 302, 404, 499}[i%4], 100+b.g.r.IntN(90000)))
	var req, ref string
	switch i % 4 {
	case 0:
		req = "GET /account/orders?email=" + url.QueryEscape(b.email(p, cycle(emailSpellings, i, 0))) + "&phone=" + url.QueryEscape(b.phone(i, 0)) + "&page=2"
		ref = "https://shop.example.com/checkout?session_id=" + b.session("express")
	case 1:
		req = "GET /oauth/callback?code=" + b.p(Secret, "oauth-code", b.g.alnum(40)) + "&state=" + b.uuid()
		if i%8 == 5 {
			ref = "https://shop.example.com/login.php?user=" + b.user(p) + "&password=" + url.QueryEscape(b.p(Secret, "password-query", "Sommer"+b.g.digits(4)+"!"+b.g.alnum(3)))
		} else {
			ref = "https://login.example.com/authorize?client_id=shop&client_secret=" + b.p(Secret, "client_secret", b.g.alnum(32))
		}
	case 2:
		req = "GET /releases/" + b.l("version4", b.version4()) + "/app.apk;jsessionid=" + b.session("java") + "?uid=" + b.user(p)
		ref = "https://" + b.p(User, "git-url-user", ascii(p.first)+b.g.digits(3)) + ":" + b.secret("github-ghp") + "@github.com/shop/app.git"
	case 3:
		if i%8 == 7 { // a browser calling Google Maps through the shop's proxy
			req = "GET /maps/api/geocode/json?address=" + url.QueryEscape(b.address("query")) + "&key=" + b.p(Secret, "google-aiza-query", "AIza"+b.g.alnum(35)) + "&order=" + b.orderNo()
			ref = "https://shop.example.com/checkout"
			break
		}
		fallthrough
	default:
		req = "POST /api/v1/pay?card=" + url.QueryEscape(b.card(i, 0)) + "&iban=" + url.QueryEscape(b.iban(i, 0)) + "&order=" + b.orderNo()
		ref = "-"
	}
	var xff string
	if i%5 == 4 {
		xff = b.p(IP, "v4-port", b.g.ipv4()) + fmt.Sprintf(":%d", 1024+b.g.r.IntN(60000))
	} else {
		xff = b.ip4() + ", " + b.ip6Odd(i)
	}
	rt := b.l("request_time", fmt.Sprintf(`rt=%d.%03d uct="0.%03d"`, b.g.r.IntN(3), b.g.r.IntN(1000), b.g.r.IntN(100)))
	b.line(fmt.Sprintf(`%s - %s [%s] "%s HTTP/1.1%s%s" "%s" "%s" %s`, client, user, clf(t), req, status, ref, b.ua(), xff, rt))
}

// nginx-error: the error-log shapes of fail2ban's nginx-http-auth and
// nginx-limit-req samples.
func nginxError(b *rb, i int, t time.Time) {
	p := b.g.person()
	ts := t.Format("2006/01/02 15:04:05")
	pid := 1000 + b.g.r.IntN(30000)
	client := b.anyIP(i)
	host := "shop.example.com"
	switch i % 3 {
	case 0:
		if i%2 == 1 {
			b.line(fmt.Sprintf(`%s [error] %d#%d: *%d %s could not be resolved (3: Host not found), client: %s, server: %s, request: "GET /%s HTTP/1.1", host: "%s"`,
				ts, pid, pid, b.g.r.IntN(99999), b.rdns(4, 0), client, host, b.l("version4", "v"+b.version4()), host))
			return
		}
		b.line(fmt.Sprintf(`%s [error] %d#%d: *%d user "%s" was not found in "/etc/nginx/.htpasswd", client: %s, server: %s, request: "GET /admin/%s?token=%s HTTP/1.1", host: "%s", referrer: "https://%s/login?email=%s"`,
			ts, pid, pid, b.g.r.IntN(99999), b.user(p), client, host, b.l("version4", "v"+b.version4()), b.secret("jwt"), host, host, url.QueryEscape(b.emailPlain(p))))
	case 1:
		u := b.p(User, "path", b.g.user(p))
		b.line(fmt.Sprintf(`%s [error] %d#%d: *%d open() "/var/www/html/users/%s/avatar.png" failed (2: No such file or directory), client: %s, server: %s, request: "GET /users/%s/avatar.png?v=%s HTTP/2.0", host: "%s"`,
			ts, pid, pid, b.g.r.IntN(99999), u, client, host, u, b.l("version4", b.version4()), host))
	default:
		up := b.ip6()
		b.line(fmt.Sprintf(`%s [error] %d#%d: *%d upstream timed out (110: Connection timed out) while reading response header from upstream, client: %s, server: %s, request: "POST /api/contact?phone=%s&build=%s HTTP/1.1", upstream: "http://[%s]:8080/api/contact", host: "%s"`,
			ts, pid, pid, b.g.r.IntN(99999), client, host, url.QueryEscape(b.phone(i, 3)), b.commit(12), up, host))
	}
}

// apache-vhost: vhost_combined ("%v:%p %h %l %u %t ...") with
// HostnameLookups On, so %h is the client's host name.
func apacheVhost(b *rb, i int, t time.Time) {
	p := b.g.person()
	host := b.rdns(i, 0)
	user := "-"
	if i%2 == 1 {
		user = b.user(p)
	}
	var path string
	if i%3 == 1 {
		path = "/~" + b.p(User, "tilde-path", b.g.user(p)) + "/index.html"
	} else {
		path = "/releases/" + b.l("version4", b.version4()) + "/setup.exe"
	}
	ref := "https://www.example.org/?ref=" + b.rdns(i, 1)
	b.line(fmt.Sprintf(`www.example.org:443 %s - %s [%s] "GET %s HTTP/1.1"%s"%s" "%s"`,
		host, user, clf(t), path, b.l("status_bytes", fmt.Sprintf(` %d %d `, 200, 1000+b.g.r.IntN(900000))), ref, b.ua()))
}

// caddy: Caddy's JSON access log (the matomo/lnav samples' shape).
func caddy(b *rb, i int, t time.Time) {
	p := b.g.person()
	ip := b.anyIP(i)
	client := b.anyIP(i + 1)
	user := ""
	if i%2 == 0 {
		user = b.user(p)
	}
	var auth string
	if i%3 == 1 {
		h, _ := b.g.basicAuth(b.g.user(p))
		auth = b.p(Secret, "basic-auth", h)
	} else {
		auth = "Bearer " + b.secret("jwt")
	}
	cookie := "session_id=" + b.session("express") + "; _ga=GA1.2." + b.g.digits(9) + "." + b.g.digits(10)
	setCookie := "PHPSESSID=" + b.session("php") + "; path=/; HttpOnly"
	uri := "/api/users/" + b.p(User, "path", b.g.user(p)) + "?email=" + url.QueryEscape(b.email(p, cycle(emailSpellings, i, 1)))
	b.line(fmt.Sprintf(`{"level":"info","ts":%d.%06d,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":%s,"remote_port":"%d","client_ip":%s,"proto":"HTTP/2.0","method":"GET","host":"example.com","uri":%s,"headers":{"User-Agent":[%s],"Authorization":[%s],"Cookie":[%s],"X-Forwarded-For":[%s],"Referer":[%s],"X-Request-Id":["%s"],"Accept-Language":["de-DE"]},"tls":{"resumed":false,"version":772,"cipher_suite":4865,"proto":"h2","server_name":"example.com"}},"bytes_read":0,"user_id":%s,"duration":0.%06d,"size":%d,"status":200,"resp_headers":{"Set-Cookie":[%s],"Server":["Caddy"],"Content-Type":["application/json"]}}`,
		t.Unix(), t.Nanosecond()/1000, js(ip), 1024+b.g.r.IntN(60000), js(client), js(uri), js(b.ua()), js(auth), js(cookie), js(b.ip4()+", "+b.ip6()), js("https://shop.example.com/newsletter/confirm?email="+url.QueryEscape(b.emailPlain(p))), b.uuid(), js(user),
		b.g.r.IntN(999999), 100+b.g.r.IntN(90000), js(setCookie)))
}

// traefik: Traefik's JSON access log (the matomo sample's shape) with
// the header fields Traefik adds for fields.headers.defaultMode=keep.
func traefik(b *rb, i int, t time.Time) {
	p := b.g.person()
	addr := b.ip4()
	port := 1024 + b.g.r.IntN(60000)
	cu := "-"
	if i%2 == 0 {
		cu = b.user(p)
	}
	auth, _ := b.g.basicAuth(b.g.user(p))
	if i%2 == 1 {
		auth = "Bearer " + b.secret("opaque")
	} else {
		auth = b.p(Secret, "basic-auth", auth)
	}
	tok := cycle([]string{"access_token", "refresh_token", "id_token"}, i, 0)
	path := "/my/app/auth?id=" + b.orderNo() + "&" + tok + "=" + b.p(Secret, tok, b.g.alnum(40))
	b.line(fmt.Sprintf(`{"ClientAddr":"%s:%d","ClientHost":"%s","ClientPort":"%d","ClientUsername":%s,"request_X-Forwarded-For":"%s, %s","request_Authorization":%s,"request_User-Agent":%s,"request_Cookie":%s,"downstream_Set-Cookie":%s,"DownstreamContentSize":%d,"DownstreamStatus":200,"Duration":%s,"OriginContentSize":%d,"OriginDuration":%d,"OriginStatus":200,"RequestAddr":"example.com","RequestHost":"example.com","RequestMethod":"GET","RequestPath":%s,"RequestProtocol":"HTTP/1.1","RequestScheme":"https","RouterName":"web@docker","ServiceName":"app@docker","StartUTC":"%s","entryPointName":"websecure","level":"info","msg":"","time":"%s"}`,
		b.p(IP, "v4-port", addr), port, addr, port, js(cu), b.ip4(), b.ip6(), js(auth), js(b.ua()), js("JSESSIONID="+b.session("java")+"; _ga=GA1.2."+b.g.digits(9)+"."+b.g.digits(10)),
		js("session="+b.session("express")+"; Path=/; Secure"), 100+b.g.r.IntN(9000), b.l("duration_ns", fmt.Sprint(1000000+b.g.r.IntN(9e8))), 100+b.g.r.IntN(9000), 1000000+b.g.r.IntN(9e8),
		js(path), t.Format(time.RFC3339Nano), t.Format(time.RFC3339)))
}

// llm-gateway: a LiteLLM-style spend/request log: prompts with personal
// data, tool-call arguments as nested JSON strings, end-user fields,
// keys and header maps.
func llmGateway(b *rb, i int, t time.Time) {
	// Four people, so that each planted name is found only where it was
	// planted: the prompt's author, the refund's account holder, the
	// end user and the tool call's e-mail recipient.
	p, q, o, w := b.g.person(), b.g.person(), b.g.person(), b.g.person()
	addr := b.address("prompt-freetext")
	prompt := fmt.Sprintf("Hi, I am %s. Please change my delivery address to %s and call me at %s or write to %s. Refund to IBAN %s.",
		b.fullName(p, "prompt-freetext"), addr, b.phone(i, 4), b.emailPlain(p), b.iban(i, 1))
	holder := b.fullName(q, "account_holder")
	ship, _, _ := b.g.address()
	ship = b.p(Address, "shipping_address", ship)
	args := fmt.Sprintf(`{"account_holder":%s,"iban":%s,"email":%s,"shipping_address":%s,"phone":%s}`,
		js(holder), js(b.iban(i, 2)), js(b.email(w, cycle(emailSpellings, i, 2))), js(ship), js(b.phone(i, 5)))
	var keyName, keyVal string
	switch i % 3 {
	case 0:
		keyName, keyVal = "x-api-key", b.secret("openai-sk-proj")
	case 1:
		keyName, keyVal = "api-key", b.p(Secret, "api-key-json", b.g.hex(32))
	case 2:
		keyName, keyVal = "x-auth-token", b.p(Secret, "x-auth-token-json", b.g.alnum(40))
	}
	b.line(fmt.Sprintf(`{"request_id":"chatcmpl-%s","call_type":"acompletion",%s,"endTime":"%s","model":"gpt-4o-2024-08-06","api_key":%s,"user":%s,"end_user":%s,"end_user_email":%s,"metadata":{"user_api_key_alias":"shop-backend","requester_ip_address":%s,"headers":{%s:%s,"authorization":%s,"user-agent":"OpenAI/Python 1.54.3","x-stainless-retry-count":"0"},"app_version":"%s"},"messages":[{"role":"system","content":"You are the support assistant of Example Shop."},{"role":"user","content":%s}],"response":{"choices":[{"message":{"role":"assistant","tool_calls":[{"id":"call_%s","type":"function","function":{%s,"arguments":%s}}]}}]},"prompt_tokens":%d,"completion_tokens":%d,"spend":0.00%s,"trace_id":"%s","created_at":%s}`,
		b.alnumL(24), b.l("date", `"startTime":"`+t.Format(time.RFC3339Nano)+`"`), t.Add(1234*time.Millisecond).Format(time.RFC3339Nano),
		js(b.secret(cycle([]string{"openai-sk-proj", "stripe-sk_live", "stripe-rk_live"}, i, 0))), js(b.user(p)), js(b.user(p)), js(b.email(o, cycle(emailSpellings, i, 3))), js(b.ip4()),
		js(keyName), js(keyVal), js("Bearer "+b.secret("opaque")), b.l("version4", b.version4()),
		js(prompt), b.g.alnum(24), b.l("function_name", `"name":"`+b.g.pick("create_refund", "lookup_order", "update_address")+`"`), js(args), 100+b.g.r.IntN(2000), 10+b.g.r.IntN(500), b.g.digits(4), b.traceID(), b.epochMS(t)))
	// The look-alike "app_version" with its key, as the issue spells it.
	lv := b.rec.LookAlikes
	for j := range lv {
		if lv[j].What == "version4" && strings.Contains(b.rec.Lines[0], `"app_version":"`+lv[j].Text+`"`) {
			lv[j].Text = `"app_version":"` + lv[j].Text + `"`
		}
	}
}

func (b *rb) alnumL(n int) string { return b.g.alnum(n) }

// go-logfmt: a Go service logging with slog's TextHandler / go-kit log.
func goLogfmt(b *rb, i int, t time.Time) {
	p := b.g.person()
	var kv string
	switch i % 3 {
	case 0:
		kv = fmt.Sprintf(`msg="login ok" user=%s email=%s client_ip=%s phone=%q`, b.user(p), lf(b.email(p, cycle(emailSpellings, i, 4))), b.anyIP(i), b.phone(i, 6))
	case 1:
		kv = fmt.Sprintf(`msg="payment failed for %s" card=%q iban=%q order=%s session_id=%s`, b.emailPlain(p), b.card(i, 1), b.iban(i, 3), b.orderNo(), b.session("express"))
	default:
		s, v := b.secretCycle(i, 0)
		kv = fmt.Sprintf(`msg="calling vendor api" vendor=%s token=%s full_name=%q shipping_address=%q`, s, v, b.fullName(p, "full_name"), b.address("shipping_address"))
	}
	b.line(fmt.Sprintf(`time=%s level=INFO %s trace_id=%s span_id=%s commit=%s %s %s %s %s`,
		t.Format("2006-01-02T15:04:05.000Z07:00"), kv, b.traceID(), b.spanID(), b.commit([]int{7, 12, 40}[i%3]), b.l("version4", "version="+b.version4()), b.l("duration", "duration="+b.durS()), b.l("duration", "latency="+b.durMS()), b.l("status", fmt.Sprint("status=", []int{200, 201, 502}[i%3]))))
}

func bsd(t time.Time) string { return t.Format(time.Stamp) }

// auth-syslog: sshd, sudo and PAM lines (OpenSSH_2k, auth.log, fail2ban's
// sshd samples).
func authSyslog(b *rb, i int, t time.Time) {
	p := b.g.person()
	h := "web" + fmt.Sprint(1+i%3)
	pid := 1000 + b.g.r.IntN(60000)
	port := 1024 + b.g.r.IntN(60000)
	var from string
	if i%8 != 4 && i%8 != 7 {
		if i%4 == 3 {
			from = b.rdns(i, 2)
		} else {
			from = b.anyIP(i)
		}
	}
	switch i % 8 {
	case 0:
		var u string
		if i%12 == 6 { // scanners try e-mail addresses as logins
			u = b.email(p, "plain")
		} else {
			u = b.user(p)
		}
		b.line(fmt.Sprintf(`%s %s sshd[%d]: Invalid user %s from %s port %d`, bsd(t), h, pid, u, from, port))
	case 1:
		b.line(fmt.Sprintf(`%s %s sshd[%d]: Failed password for invalid user %s from %s port %d ssh2`, bsd(t), h, pid, b.user(p), from, port))
	case 2:
		b.line(fmt.Sprintf(`%s %s sshd[%d]: Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%s`, bsd(t), h, pid, b.user(p), from, port, b.l("ssh_fingerprint", b.g.alnum(43))))
	case 3:
		b.line(fmt.Sprintf(`%s %s sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s`, bsd(t), h, pid, from, b.user(p)))
	case 4:
		u := b.user(p)
		b.line(fmt.Sprintf(`%s %s sudo: %s : TTY=pts/0 ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/git clone https://%s:%s@github.com/example/app.git`, bsd(t), h, u, u, u, b.secret("github-pat")))
	case 5:
		b.line(fmt.Sprintf(`%s %s sshd[%d]: Connection closed by authenticating user %s %s port %d [preauth]`, bsd(t), h, pid, b.user(p), from, port))
	case 6: // OpenSSH >= 7.5 writes no "from" here
		b.line(fmt.Sprintf(`%s %s sshd[%d]: Disconnected from invalid user %s %s port %d [preauth]`, bsd(t), h, pid, b.user(p), from, port))
	default:
		b.line(fmt.Sprintf(`%s %s sudo: pam_unix(sudo:session): session opened for user root(uid=0) by %s(uid=%d)`, bsd(t), h, b.user(p), 1000+b.g.r.IntN(50)))
	}
}

// mail-syslog: postfix and dovecot (fail2ban's postfix/dovecot samples,
// Postfix's SASL_README and dovecot's login log format).
func mailSyslog(b *rb, i int, t time.Time) {
	p, q := b.g.person(), b.g.person()
	pid := 1000 + b.g.r.IntN(60000)
	var qid string
	if i%6 < 3 {
		qid = b.queueID()
	}
	switch i % 6 {
	case 0:
		host := b.rdns(i, 3)
		addr := b.rec.Planted[len(b.rec.Planted)-2].Text
		b.line(fmt.Sprintf(`%s mail postfix/smtpd[%d]: %s: client=%s[%s], sasl_method=PLAIN, sasl_username=%s`, bsd(t), pid, qid, host, addr, b.email(p, "plain")))
	case 1:
		if i%12 == 7 { // header_checks WARN: the From header with its display name
			host := b.rdns(i, 2)
			addr := b.rec.Planted[len(b.rec.Planted)-2].Text
			from := b.email(p, "display-quoted")
			b.line(fmt.Sprintf(`%s mail postfix/cleanup[%d]: %s: warning: header From: %s from %s[%s]; from=<%s> to=<%s> proto=ESMTP helo=<%s>`,
				bsd(t), pid, qid, from, host, addr, b.emailPlain(p), b.emailPlain(q), host))
			break
		}
		b.line(fmt.Sprintf(`%s mail postfix/qmgr[%d]: %s: from=<%s>, size=%d, nrcpt=1 (queue active)`, bsd(t), pid, qid, b.email(p, cycle([]string{"plain", "plus-tag", "upper"}, i, 0)), 1000+b.g.r.IntN(90000)))
	case 2:
		b.line(fmt.Sprintf(`%s mail postfix/smtp[%d]: %s: to=<%s>, orig_to=<%s>, relay=mx.example.net[%s]:25, %s, delays=0.1/0/0.2/0.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %s)`,
			bsd(t), pid, qid, b.emailPlain(q), b.email(p, "plus-tag"), b.ip4(), b.l("delay", fmt.Sprintf("delay=%d.%d", 1+b.g.r.IntN(9), b.g.r.IntN(10))), b.queueID()))
	case 4:
		b.line(fmt.Sprintf(`%s mail dovecot: imap(%s)<%d><%s>: Disconnected: Logged out %s deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0`,
			bsd(t), b.email(p, "plain"), pid, b.p(Session, "dovecot-mail", b.g.alnum(16)), b.l("byte_counts", fmt.Sprintf("in=%d out=%d", 100+b.g.r.IntN(900), 1000+b.g.r.IntN(90000)))))
	case 5:
		host := b.rdns(i, 1)
		addr := b.rec.Planted[len(b.rec.Planted)-2].Text
		b.line(fmt.Sprintf(`%s mail %s: connect from %s[%s]`, bsd(t), b.l("pid", fmt.Sprintf("postfix/smtpd[%d]", pid)), host, addr))
	default:
		b.line(fmt.Sprintf(`%s mail dovecot: imap-login: Login: user=<%s>, method=PLAIN, rip=%s, lip=%s, %s, TLS, session=<%s>`,
			bsd(t), b.email(p, cycle([]string{"plain", "upper"}, i, 0)), b.anyIP(i), b.ip4(), b.l("pid", fmt.Sprintf("mpid=%d", pid)), b.p(Session, "dovecot", b.g.alnum(16))))
	}
}

// cri: containerd/CRI-O records wrapping a JSON application log; every
// third one split by the runtime into a P and an F record, cut inside a
// planted value.
func cri(b *rb, i int, t time.Time) {
	p := b.g.person()
	email := b.email(p, cycle(emailSpellings, i, 5))
	msg := fmt.Sprintf(`{"level":"info","ts":"%s","msg":"checkout","user":{"name":%s,"email":%s},"client_ip":%s,"card":%s,"phone":%s,"order_id":"%s","request_id":"%s","duration_ms":%d%s}`,
		t.Format(time.RFC3339Nano), js(b.user(p)), js(email), js(b.anyIP(i)), js(b.card(i, 2)), js(b.phone(i, 7)), b.orderNo(), b.uuid(), 1+b.g.r.IntN(900), b.jsonNumberCard(i))
	ts := t.UTC().Format(time.RFC3339Nano)
	if i%3 != 2 {
		b.line(ts + " stdout F " + msg)
		return
	}
	// Cut in the middle of the e-mail address.
	at := strings.Index(msg, jsInner(email)) + len(jsInner(email))/2
	b.line(ts + " stdout P " + msg[:at])
	b.line(ts + " stdout F " + msg[at:])
}

// stacktrace: PHP, Java and Python exceptions with identifiers in the
// messages, as the runtimes print them.
func stacktrace(b *rb, i int, t time.Time) {
	p := b.g.person()
	switch i % 3 {
	case 0:
		email := b.email(p, "plus-tag")
		// PHP cuts string arguments to 15 bytes in stack traces.
		cut := email
		if len(cut) > 15 {
			cut = cut[:15] + "..."
		}
		b.line(fmt.Sprintf(`[%s] PHP Fatal error:  Uncaught InvalidArgumentException: No account for e-mail %s (order %s) from %s in /var/www/html/src/Account.php:57`, t.Format("02-Jan-2006 15:04:05 MST"), email, b.orderNo(), b.ip4()))
		b.line(`Stack trace:`)
		b.line(fmt.Sprintf(`#0 /var/www/html/index.php(12): Account->find('%s')`, cut))
		b.line(`#1 {main}`)
		b.line(`  thrown in /var/www/html/src/Account.php on line 57`)
	case 1:
		u := b.user(p)
		b.line(fmt.Sprintf(`%s ERROR 4242 --- [shop,%s,%s] [nio-8080-exec-7] c.e.shop.UserService : User '%s' not found`, t.Format("2006-01-02 15:04:05.000"), b.traceID(), b.spanID(), u))
		b.line(fmt.Sprintf(`com.example.shop.UserNotFoundException: User '%s' not found (email=%s, phone=%s, ip=%s)`, u, b.emailPlain(p), b.phone(i, 8), b.ip6()))
		b.line(fmt.Sprintf(`	at com.example.shop.UserService.load(UserService.java:87) [remote=/%s:%d]`, b.p(IP, "v4-java-socket", b.g.ipv4()), 1024+b.g.r.IntN(60000)))
		b.line(`	at com.example.shop.web.AccountController.show(AccountController.java:41)`)
		b.line(fmt.Sprintf(`	at org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:%d)`, 800+b.g.r.IntN(200)))
	default:
		u := b.user(p)
		b.line(`Traceback (most recent call last):`)
		b.line(`  File "/srv/app/billing.py", line 42, in charge`)
		b.line(`    raise PaymentError(f"card declined for user {user}")`)
		b.line(fmt.Sprintf(`billing.PaymentError: card declined for user %s (card %s, IBAN %s, holder %s, order %s, %s)`, u, b.card(i, 3), b.iban(i, 4), b.fullName(p, "exception-freetext"), b.orderNo(), b.l("duration", "took "+b.durMS())))
	}
}

// plain-text: application text without structure.
func plainText(b *rb, i int, t time.Time) {
	p := b.g.person()
	ts := t.Format("2006-01-02 15:04:05")
	switch i % 3 {
	case 0:
		due := t.AddDate(0, 0, 14+b.g.r.IntN(14))
		b.line(fmt.Sprintf(`%s INFO invoice %s sent to %s, %s, phone %s, IBAN %s, due %s (%s, release %s)`, b.l("date", ts), b.orderNo(), b.email(p, "display-name"), b.address("freetext"), b.phone(i, 9), b.iban(i, 4), b.l("date", due.Format("2006-01-02")), b.l("duration", "took "+b.durS()), b.l("version4", "/releases/"+b.version4()+"/")))
	case 1:
		s, v := b.secretCycle(i, 8)
		_ = s
		b.line(fmt.Sprintf(`%s WARN notifier: posting to %s failed for %s with aws_access_key_id=%s aws_secret_access_key=%s, commit %s, build %s`, ts, b.secret("slack-webhook"), v, b.secret("aws-akia"), b.secret("aws-secret"), b.commit(40), b.snowflake()))
	default:
		b.line(fmt.Sprintf(`%s ERROR job %s: user %s (%s) from %s could not be charged: card %s, snowflake %s, at %s`, ts, b.uuid(), b.user(p), b.email(p, "quoted"), b.anyIP(i), b.card(i, 4), b.snowflake(), b.epochMS(t)))
	}
}

// lf quotes a logfmt value when it needs quotes, as go-logfmt does.
func lf(s string) string {
	if strings.ContainsAny(s, " =\"") {
		return fmt.Sprintf("%q", s)
	}
	return s
}
