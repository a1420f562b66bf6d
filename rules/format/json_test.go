package format

import (
	"strings"
	"testing"
)

func TestParseJSON(t *testing.T) {
	cases := []parseCase{
		{"flat", JSON, `{"ts":"2024-05-01T10:00:00Z","level":"info","msg":"hi"}`, true, JSON,
			[]string{"ts:string=2024-05-01T10:00:00Z", "level:string=info", "msg:string=hi"}, "ts"},
		{"nested and arrays", JSON,
			`{"user":{"email":"a@b.c","ids":[1,2]},"tags":["x","y"],"items":[{"ip":"1.2.3.4"},{"ip":"::1"}],"m":[[true]]}`, true, JSON,
			[]string{"user.email:string=a@b.c", "user.ids:number=1", "user.ids:number=2", "tags:string=x", "tags:string=y",
				"items.ip:string=1.2.3.4", "items.ip:string=::1", "m:bool=true"}, ""},
		{"escapes and unicode", Auto, `{"msg":"say \"hi\"\n","u":"caf\u00e9 ☕","k\u0065y":1,"a":{"x\/y":2}}`, true, JSON,
			[]string{`msg:string=say \"hi\"\n!`, `u:string=caf\u00e9 ☕!`, "key:number=1", "a.x/y:number=2"}, ""},
		{"numbers bools null", JSON, `{"a":0,"b":-1.5e+10,"c":1E3,"d":true,"e":false,"f":null,"g":""}`, true, JSON,
			[]string{"a:number=0", "b:number=-1.5e+10", "c:number=1E3", "d:bool=true", "e:bool=false", "f:null=null", "g:string="}, ""},
		{"whitespace", Auto, " \t{ \"a\" : 1 ,\r\n \"b\" :[ ] , \"c\":{ } }\t ", true, JSON, []string{"a:number=1"}, ""},
		{"duplicate keys", JSON, `{"a":1,"a":"x"}`, true, JSON, []string{"a:number=1", "a:string=x"}, ""},
		{"time priority and epoch", JSON, `{"time":"x","meta":{"ts":1700000000}}`, true, JSON,
			[]string{"time:string=x", "meta.ts:number=1700000000"}, "meta.ts"},
		{"time not a container", JSON, `{"ts":{"x":1},"time":"t"}`, true, JSON, []string{"ts.x:number=1", "time:string=t"}, "time"},
		{"empty object", JSON, `{}`, true, JSON, []string{}, ""},
		{"invalid utf8 kept", JSON, "{\"a\":\"\xff\xfe\"}", true, JSON, []string{"a:string=\xff\xfe"}, ""},
	}
	for _, bad := range []struct{ name, line string }{
		{"empty", ``}, {"array top", `[1]`}, {"string top", `"a"`}, {"unterminated", `{"a":1`},
		{"trailing comma", `{"a":1,}`}, {"trailing garbage", `{"a":1} x`}, {"missing colon", `{"a" 1}`},
		{"bad literal", `{"a":tru}`}, {"bad number", `{"a":01}`}, {"bad number dot", `{"a":1.}`},
		{"bad exponent", `{"a":1e}`}, {"bad escape", `{"a":"\x"}`}, {"short unicode", `{"a":"\u12"}`},
		{"raw newline", "{\"a\":\"x\ny\"}"}, {"unquoted key", `{a:1}`}, {"two objects", `{}{}`},
		{"array trailing comma", `{"a":[1,]}`}, {"nul", "{\"a\":1\x00}"}, {"unterminated string", `{"a":"x`},
		{"too deep", `{"a":` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `}`},
	} {
		cases = append(cases, parseCase{name: "reject " + bad.name, format: JSON, line: bad.line, want: Text})
	}
	ok := `{"a":` + strings.Repeat("[", maxJSONDepth-1) + `1` + strings.Repeat("]", maxJSONDepth-1) + `}`
	cases = append(cases, parseCase{"deepest accepted", JSON, ok, true, JSON, []string{"a:number=1"}, ""})
	runParseCases(t, cases, keys("meta.ts", "ts", "time"))
}

func TestJSONPathStorage(t *testing.T) {
	// Paths of earlier fields stay intact while the scratch buffer grows.
	var rec Record
	line := `{"a":{"` + strings.Repeat("k", 300) + `":1,"b":2},"c":{"d":3}}`
	if !Parse(JSON, []byte(line), nil, &rec) {
		t.Fatal("rejected")
	}
	want := []string{"a." + strings.Repeat("k", 300), "a.b", "c.d"}
	for i, w := range want {
		if string(rec.Fields[i].Path) != w {
			t.Errorf("path %d = %q, want %q", i, rec.Fields[i].Path, w)
		}
		if p := rec.Fields[i].Path; cap(p) != len(p) {
			t.Errorf("path %d has spare capacity %d", i, cap(p)-len(p))
		}
	}
}
