package format

import "testing"

func TestParseLogfmt(t *testing.T) {
	cases := []parseCase{
		{"k8s", Logfmt, `time="2021-09-15T21:17:10.220731Z" level=error msg="pod is not found" reason= status=Pending`, true, Logfmt,
			[]string{"time:string=2021-09-15T21:17:10.220731Z", "level:bare=error", "msg:string=pod is not found", "reason:bare=", "status:bare=Pending"}, "time"},
		{"escaped quotes", Auto, `level=info msg="say \"hi\" \\ ok" user=bob`, true, Logfmt,
			[]string{"level:bare=info", `msg:string=say \"hi\" \\ ok!`, "user:bare=bob"}, ""},
		{"bare words are keyless fields", Logfmt, `ts=1700000000 GET /x took=5ms "quoted words a=b" done`, true, Logfmt,
			[]string{"ts:bare=1700000000", ":bare=GET", ":bare=/x", "took:bare=5ms", ":string=quoted words a=b", ":bare=done"}, "ts"},
		{"pair not at start (explicit)", Logfmt, `Oct 11 sshd: user=bob`, true, Logfmt, []string{":bare=Oct", ":bare=11", ":bare=sshd:", "user:bare=bob"}, ""},
		{"empty quoted, tabs, equals in value", Logfmt, "a=\"\"\tb=x=y c=é", true, Logfmt,
			[]string{"a:string=", "b:bare=x=y", "c:bare=é"}, ""},
		{"time priority", Logfmt, `t=1 time=2 ts=3`, true, Logfmt, []string{"t:bare=1", "time:bare=2", "ts:bare=3"}, "ts"},
		{"stray unterminated quote word", Logfmt, `a=1 "rest of line`, true, Logfmt, []string{"a:bare=1", ":bare=\"rest of line"}, ""},
	}
	for _, bad := range []struct{ name, line string }{
		{"empty", ``}, {"no pair", `just some words`}, {"lone equals", `= =x`},
		{"unterminated quoted value", `a=1 msg="oops`}, {"junk after quote", `msg="a"b c=1`},
		{"quote in key", `a"b=1`},
	} {
		cases = append(cases, parseCase{name: "reject " + bad.name, format: Logfmt, line: bad.line, want: Text})
	}
	runParseCases(t, cases, keys("ts", "time", "t"))
}
