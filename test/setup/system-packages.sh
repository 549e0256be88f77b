#!/usr/bin/env bash
# Before the tests: the system programs they run (real parts, not mocks). Missing ones are
# installed with apt-get when this runs as root on Debian; otherwise it stops at once and prints
# the command to run. `VIKNO_SKIP_SYSTEM_CHECK=1` skips the check (programs found elsewhere, given
# through VIKNO_CHROMIUM, VIKNO_INFLUXD, VIKNO_MOSQUITTO, VIKNO_REDIS_SERVER, VIKNO_NGINX,
# VIKNO_PROMETHEUS, VIKNO_PROMTOOL).
set -euo pipefail
[ "${VIKNO_SKIP_SYSTEM_CHECK:-}" = 1 ] && exit 0

# program path | Debian package | why the tests need it
needs=(
	"/usr/bin/mosquitto_pub|mosquitto-clients|publish and subscribe as a device would"
	"/usr/bin/mosquitto_sub|mosquitto-clients|publish and subscribe as a device would"
	"/usr/sbin/mosquitto|mosquitto|the reference broker the MQTT behaviour is compared with"
	"/usr/bin/influxd|influxdb|a real InfluxDB 1.x for the store suites"
	"/usr/bin/influx|influxdb-client|reading back what the store wrote to InfluxDB"
	"/usr/bin/redis-server|redis-server|two hubs sharing sessions through Redis"
	"/usr/bin/chromium|chromium|the pages in a real headless browser"
	"/usr/bin/sqlite3|sqlite3|reading back what the SQLite store wrote"
	"/usr/bin/openssl|openssl|throwaway certificates for the TLS tests"
	"/etc/ssl/certs/ca-certificates.crt|ca-certificates|TLS trust store for openssl"
	"/usr/sbin/nginx|nginx|the hub behind a real reverse proxy (deploy/nginx/vikno.conf)"
	"/usr/bin/promtool|prometheus|checking the alert rules (deploy/prometheus/vikno.rules.yml)"
	"/usr/bin/prometheus|prometheus|a real Prometheus scraping a hub and firing its rules"
	"/usr/bin/systemd-analyze|systemd|checking the hub's systemd units (deploy/*.service)"
	"/usr/bin/espeak-ng|espeak-ng|the hall board's spoken calls (Ukrainian voice), checked to be speech"
	"/usr/sbin/mkfs.ext4|e2fsprogs|a data dir on an ext4 image that goes read-only under the hub"
	"/usr/sbin/e2fsck|e2fsprogs|checking that image before the events on it are counted"
	"/usr/sbin/losetup|mount|mounting that image on a loop device"
	"/usr/bin/ss|iproute2|the broker's listen queue as the kernel sees it"
)

missing=()
for n in "${needs[@]}"; do
	IFS='|' read -r path pkg why <<<"$n"
	if [ ! -e "$path" ]; then
		echo "tests need $path ($why): Debian package $pkg" >&2
		[[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "installing ${missing[*]} with apt-get" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# --reinstall: a package can be installed with one of its files gone.
	apt-get install -y -qq --no-install-recommends --reinstall "${missing[@]}" >/dev/null
	# Services a package starts by itself are not what the tests use (they start their own on
	# free loopback ports, with their own config): stop the ones this install started.
	for svc in nginx prometheus; do
		if [[ " ${missing[*]} " == *" $svc "* ]] && command -v systemctl >/dev/null &&
			systemctl is-active --quiet "$svc" 2>/dev/null; then
			echo "stopping the $svc service the package started (tests run their own)" >&2
			systemctl disable --now "$svc" >/dev/null 2>&1 || true
		fi
		# Without systemd the package's init script may have started it: it was not there before.
		if [[ " ${missing[*]} " == *" $svc "* ]] && pgrep -x "$svc" >/dev/null 2>&1; then
			echo "stopping the $svc daemon the package started (tests run their own)" >&2
			pkill -x "$svc" || true
		fi
	done
	for n in "${needs[@]}"; do
		IFS='|' read -r path pkg _ <<<"$n"
		[ -e "$path" ] || { echo "$path is still missing after installing $pkg" >&2; exit 1; }
	done
	exit 0
fi
echo "run as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
exit 1
