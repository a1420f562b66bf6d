#!/usr/bin/env bash
# Builds the Debian package of tarn with dpkg-deb:
#   bash packaging/debian/build.sh [OUT_DIR]   → OUT_DIR/tarn_<version>_<arch>.deb
# Contents: /usr/bin/tarn (static), the systemd unit, /etc/tarn/tarn.yaml
# and /etc/tarn/rules.yaml (conffiles); postinst creates /etc/tarn/key.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-dist}
version=${VERSION:-0.0.0~$(git rev-parse --short HEAD 2>/dev/null || echo dev)}
arch=$(go env GOARCH)
root=$(mktemp -d)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/tarn"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$root/usr/bin/tarn" ./cmd/tarn
install -m 0644 packaging/systemd/tarn.service "$root/lib/systemd/system/tarn.service"
install -m 0644 packaging/debian/tarn.yaml packaging/debian/rules.yaml "$root/etc/tarn/"
install -m 0755 packaging/debian/postinst "$root/DEBIAN/postinst"
printf '/etc/tarn/tarn.yaml\n/etc/tarn/rules.yaml\n' >"$root/DEBIAN/conffiles"
cat >"$root/DEBIAN/control" <<CONTROL
Package: tarn
Version: $version
Architecture: $arch
Maintainer: tarn maintainers <maintainers@tarn.invalid>
Section: admin
Priority: optional
Description: log anonymization agent
 tarn tails web-server and application logs, truncates IP addresses,
 replaces identifiers with keyed pseudonyms, drops records after the
 retention period and ships only anonymized entries.
CONTROL
mkdir -p "$out"
dpkg-deb --root-owner-group --build "$root" "$out/tarn_${version}_${arch}.deb" >/dev/null
echo "$out/tarn_${version}_${arch}.deb"
