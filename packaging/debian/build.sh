#!/usr/bin/env bash
# Builds the Debian package of tarn with dpkg-deb:
#   bash packaging/debian/build.sh [OUT_DIR]   → OUT_DIR/tarn_<version>_<arch>.deb
# Contents: /usr/bin/tarn (static), the systemd unit, /etc/tarn/tarn.yaml
# and /etc/tarn/rules.yaml (conffiles), the Apache conf snippet
# (/etc/apache2/conf-available/tarn.conf), the logrotate hook that keeps
# rotated web-server logs 7 days, the nginx example, the man page tarn(1)
# generated from the binary's own help, copyright (DEP-5), changelog and
# lintian overrides; postinst creates /etc/tarn/key, postrm purge removes
# it and /var/lib/tarn. `lintian` on the result is clean (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-dist}
version=${VERSION:-0.0.0~$(git rev-parse --short HEAD 2>/dev/null || echo dev)}
arch=$(go env GOARCH)
root=$(mktemp -d)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
doc=$root/usr/share/doc/tarn
install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/tarn" \
  "$root/etc/apache2/conf-available" "$root/etc/logrotate.d/httpd-prerotate" \
  "$doc/examples" "$root/usr/share/man/man1" "$root/usr/share/lintian/overrides"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$root/usr/bin/tarn" ./cmd/tarn
install -m 0644 packaging/systemd/tarn.service "$root/lib/systemd/system/tarn.service"
install -m 0644 packaging/debian/tarn.yaml packaging/debian/rules.yaml "$root/etc/tarn/"
install -m 0644 packaging/apache/tarn.conf "$root/etc/apache2/conf-available/tarn.conf"
install -m 0755 packaging/logrotate/tarn-prerotate "$root/etc/logrotate.d/httpd-prerotate/tarn"
install -m 0644 packaging/nginx/tarn.conf "$doc/examples/nginx-tarn.conf"
install -m 0644 packaging/debian/copyright "$doc/copyright"
install -m 0644 packaging/debian/lintian-overrides "$root/usr/share/lintian/overrides/tarn"
install -m 0755 packaging/debian/postinst packaging/debian/postrm "$root/DEBIAN/"
printf '%s\n' /etc/tarn/tarn.yaml /etc/tarn/rules.yaml /etc/apache2/conf-available/tarn.conf \
  /etc/logrotate.d/httpd-prerotate/tarn >"$root/DEBIAN/conffiles"

# The changelog (Debian format; a native package's is changelog.gz) and the
# man page, both gzipped reproducibly (-n: no name or time stamp).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  printf 'tarn (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built from git commit %s.\n\n' "$commit"
  printf ' -- tarn maintainers <maintainers@tarn.invalid>  %s\n' "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
go run ./packaging/debian/manpage -version "$version" "$root/usr/bin/tarn" | gzip -9n >"$root/usr/share/man/man1/tarn.1.gz"
chmod 0644 "$doc/changelog.gz" "$root/usr/share/man/man1/tarn.1.gz"
cat >"$root/DEBIAN/control" <<CONTROL
Package: tarn
Version: $version
Architecture: $arch
Maintainer: tarn maintainers <maintainers@tarn.invalid>
Section: admin
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Suggests: apache2 | nginx, logrotate
Homepage: https://github.com/tarn-project/tarn
Description: log anonymization agent
 tarn tails web-server and application logs, truncates IP addresses,
 replaces identifiers with keyed pseudonyms, drops records after the
 retention period and ships only anonymized entries.
CONTROL
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
mkdir -p "$out"
dpkg-deb --root-owner-group --build "$root" "$out/tarn_${version}_${arch}.deb" >/dev/null
echo "$out/tarn_${version}_${arch}.deb"
