package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/rules/pseudo"
	"github.com/tarn-project/tarn/sinks"
)

const routeRules = `
format: combined
fields:
  remote_addr: truncate_ip
  remote_user: pseudonymize
  vhost: keep
metadata:
  client: remote_addr
  user: remote_user
  missing: no_such_field
tenant:
  field: vhost
  map: {shop.example: customer-a, blog.example: customer-b}
  default: shared
`

func TestMetadataAndTenant(t *testing.T) {
	p := compileYAML(t, routeRules).NewProcessor()
	cases := []struct{ line, tenant string }{
		{`shop.example:443 203.0.113.9 - alice [20/Nov/2026:13:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"`, "customer-a"},
		{`blog.example:443 203.0.113.9 - alice [20/Nov/2026:13:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"`, "customer-b"},
		{`other.example:443 203.0.113.9 - alice [20/Nov/2026:13:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"`, "shared"},
	}
	for _, c := range cases {
		out, res := p.AppendAs(nil, []byte(c.line), 0, testTime)
		if res.Reason != Kept {
			t.Fatalf("dropped: %v", res.Reason)
		}
		if got := p.Tenant(); got != c.tenant {
			t.Errorf("tenant of %q = %q, want %q", c.line[:12], got, c.tenant)
		}
		md := p.AppendMetadata(nil)
		want := []sinks.Label{{Name: "client", Value: mac("203.0.113.9", 16)}, {Name: "user", Value: mac("alice", 16)}}
		if len(md) != 2 || md[0] != want[0] || md[1] != want[1] {
			t.Fatalf("metadata = %v, want %v", md, want)
		}
		// The user pseudonym in the line is the one in the metadata, so
		// an SRE can go from one to the other.
		if !strings.Contains(string(out), " "+md[1].Value+" ") || strings.Contains(string(out), "alice") {
			t.Errorf("line %q does not carry the user pseudonym %s", out, md[1].Value)
		}
	}
}

func TestRouteValidation(t *testing.T) {
	bad := `
metadata:
  "bad-name": remote_addr
tenant:
  map: {a: "no/slash"}
`
	_, err := ParseConfig("t.yaml", []byte(bad))
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"metadata.bad-name", "tenant.field: required", "tenant.map.a"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestTenantFieldMissingFallsThrough(t *testing.T) {
	p := compileYAML(t, "format: json\ntenant: {field: vhost, map: {a.example: ta}, default: other}\n").NewProcessor()
	for line, want := range map[string]string{
		`{"vhost":"a.example","msg":"x"}`: "ta",
		`{"vhost":"b.example","msg":"x"}`: "other",
		`{"msg":"no vhost"}`:              "",
	} {
		if _, res := p.Append(nil, []byte(line), testTime); res.Reason != Kept {
			t.Fatalf("dropped %s", line)
		}
		if got := p.Tenant(); got != want {
			t.Errorf("%s: tenant %q, want %q", line, got, want)
		}
	}
}

// TestMetadataPseudonymsFollowTheDay repeats clients over three days: the
// remembered metadata pseudonyms must be the ones of each line's day.
func TestMetadataPseudonymsFollowTheDay(t *testing.T) {
	p := compileYAML(t, routeRules).NewProcessor()
	day := time.Date(2026, 11, 18, 23, 59, 0, 0, time.UTC)
	for k := range 30 {
		at := day.Add(time.Duration(k) * 2 * time.Hour)
		client := fmt.Sprintf("203.0.113.%d", k%3)
		line := fmt.Sprintf(`shop.example:443 %s - bob [%s] "GET / HTTP/1.1" 200 5 "-" "-"`, client, at.Format("02/Jan/2006:15:04:05 -0700"))
		if _, res := p.AppendAs(nil, []byte(line), 0, day.Add(72*time.Hour)); res.Reason != Kept {
			t.Fatalf("line %d dropped: %v", k, res.Reason)
		}
		md := p.AppendMetadata(nil)
		want, _ := Pseudonym(TestKey, pseudo.Daily, at, []byte(client), 16)
		if len(md) != 2 || md[0].Value != want {
			t.Fatalf("line %d (%s, %s): client %v, want %s", k, client, at, md, want)
		}
	}
}
