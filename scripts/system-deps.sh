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
# OpenCV's wheel (pulled in by the OCR extra) loads libGL and GLib from the system
ldconfig -p | grep 'libGL\.so\.1 ' >/dev/null || need+=(libgl1)
ldconfig -p | grep 'libgthread-2\.0\.so\.0 ' >/dev/null || need+=(libglib2.0-0)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
