package config

import "testing"

func TestNetworkDecodeAndInfrastructureAddress(t *testing.T) {
	var nets []Network
	for _, s := range []string{"10.0.0.0/8", "fd00::/8", "192.168.1.7", "172.16.5.9/12"} {
		var n Network
		if err := n.DecodeScalar(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		nets = append(nets, n)
	}
	if nets[3].String() != "172.16.0.0/12" || nets[2].String() != "192.168.1.7/32" {
		t.Errorf("networks: %v", nets)
	}
	for _, bad := range []string{"", "10.0.0.0/40", "example.com", "10.0.0.1:80", "fe80::1%eth0"} {
		var n Network
		if err := n.DecodeScalar(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for v, want := range map[string]bool{
		"10.1.2.3": true, "10.1.2.3:8080": true, "[fd00::7]:10250": true, "fd12::1": true, "::ffff:10.1.2.3": true,
		"192.168.1.7": true, "192.168.1.8": false, "172.31.255.255:53": true,
		"203.0.113.7": false, "203.0.113.7:443": false, "[2001:db8::1]:80": false,
		"10.1.2.3 via 203.0.113.9": false, "10.1.2.3:": false, "host-10.1.2.3": false, "": false, "fe80::1%eth0": false,
	} {
		if got := InfrastructureAddress(nets, v); got != want {
			t.Errorf("InfrastructureAddress(%q) = %v, want %v", v, got, want)
		}
	}
	if InfrastructureAddress(nil, "10.1.2.3") {
		t.Error("no networks, address kept")
	}
}
