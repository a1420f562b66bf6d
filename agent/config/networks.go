package config

import (
	"fmt"
	"net/netip"
)

// Network is an IP network in CIDR notation (10.0.0.0/8, fd00::/8), or
// one address (a network of one).
type Network netip.Prefix

// DecodeScalar accepts a CIDR network or an address.
func (n *Network) DecodeScalar(s string) error {
	if p, err := netip.ParsePrefix(s); err == nil {
		*n = Network(p.Masked())
		return nil
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		a = a.Unmap()
		*n = Network(netip.PrefixFrom(a, a.BitLen()))
		return nil
	}
	return fmt.Errorf("not an IP network (10.0.0.0/8, fd00::/8) or address: %q", clipValue(s))
}

// String is the network in CIDR notation.
func (n Network) String() string { return netip.Prefix(n).String() }

// InfrastructureAddress reports whether v is, as a whole, an IP address
// or an address with a port (10.1.2.3, 10.1.2.3:8080, [fd00::1]:8080) in
// one of nets.
func InfrastructureAddress(nets []Network, v string) bool {
	if len(nets) == 0 || len(v) < 2 || len(v) > 64 {
		return false
	}
	var a netip.Addr
	if ap, err := netip.ParseAddrPort(v); err == nil {
		a = ap.Addr()
	} else if a, err = netip.ParseAddr(v); err != nil {
		return false
	}
	if a.Zone() != "" {
		return false
	}
	a = a.Unmap()
	for _, n := range nets {
		if netip.Prefix(n).Contains(a) {
			return true
		}
	}
	return false
}

// clipValue shortens a value quoted in an error message.
func clipValue(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
