#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install what building and testing pam_oidc needs on Debian 12, as root:
# the build tools and libraries, the test tools, Node.js and the pinned test
# provider (tests/provider/package-lock.json).  Safe to run again.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

PKGS="build-essential autoconf automake libtool pkg-config
libpam0g-dev libcurl4-openssl-dev libssl-dev libjson-c-dev libqrencode-dev
libcmocka-dev libpam-wrapper pamtester openssh-server openssh-client
zbar-tools expect mandoc openssl ca-certificates procps passwd clang"

if [ "$(id -u)" != 0 ]; then
	echo "setup-deps.sh: run as root (it installs Debian packages)" >&2
	exit 1
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	echo "setup-deps.sh: installing$missing"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

# The test provider, exactly as locked.
cd "$top/tests/provider"
if [ ! -d node_modules/oidc-provider ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error
fi
