#!/usr/bin/env bash
# Installs the Debian packages that the test suite drives for real (PostgreSQL server, Chromium
# with CJK fonts, catdoc for .doc/.wps), only when they are missing. Runs as root on CI
# machines; elsewhere via sudo. The service needs catdoc at run time too (binary Word files).
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v catdoc >/dev/null 2>&1 || need+=(catdoc)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
