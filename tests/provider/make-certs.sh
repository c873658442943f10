#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# make-certs.sh DIR
#
# Creates the TLS material for the test provider in DIR:
#   ca.pem, ca.key                  test CA (the one the client is told to trust)
#   server.pem, server.key          server certificate for IP:127.0.0.1 and
#                                   DNS:localhost, signed by the test CA
#   untrusted-ca.pem, untrusted-ca.key
#                                   a second, unrelated CA
#   untrusted-server.pem, untrusted-server.key
#                                   server certificate (same names) signed by
#                                   the unrelated CA: a client that trusts only
#                                   ca.pem must reject it
#
# Keys are EC P-256, certificates valid for DAYS days (default 3).
# Idempotent: files that already exist are kept; a certificate is remade when
# it or its key is missing or it expires within the hour, and a server
# certificate also when its CA was remade.  Needs only a POSIX sh and openssl.

set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi

dir=$1
days=${DAYS:-3}

mkdir -p "$dir"
umask 077

tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-certs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# newkey FILE: P-256 private key, mode 0600
newkey() {
	if [ ! -s "$1" ]; then
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
			-out "$1.tmp" 2>/dev/null
		chmod 600 "$1.tmp"
		mv "$1.tmp" "$1"
	fi
	chmod 600 "$1"
}

# make_ca NAME CN: NAME.pem / NAME.key, self-signed CA
make_ca() {
	newkey "$dir/$1.key"
	if [ ! -s "$dir/$1.pem" ]; then
		cat >"$tmp/$1.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = $2
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
		openssl req -new -x509 -sha256 -days "$days" \
			-key "$dir/$1.key" -config "$tmp/$1.cnf" \
			-out "$dir/$1.pem.tmp"
		mv "$dir/$1.pem.tmp" "$dir/$1.pem"
	fi
	chmod 644 "$dir/$1.pem"
}

# make_server NAME CA: NAME.pem / NAME.key signed by CA.pem / CA.key
make_server() {
	newkey "$dir/$1.key"
	if [ ! -s "$dir/$1.pem" ]; then
		cat >"$tmp/$1.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = localhost
[v3_srv]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
		openssl req -new -sha256 -key "$dir/$1.key" -config "$tmp/$1.cnf" \
			-out "$tmp/$1.csr"
		openssl x509 -req -sha256 -days "$days" -in "$tmp/$1.csr" \
			-CA "$dir/$2.pem" -CAkey "$dir/$2.key" \
			-set_serial "0x$(openssl rand -hex 16)" \
			-extfile "$tmp/$1.cnf" -extensions v3_srv \
			-out "$dir/$1.pem.tmp" 2>/dev/null
		mv "$dir/$1.pem.tmp" "$dir/$1.pem"
	fi
	chmod 644 "$dir/$1.pem"
}

# stale NAME: true when NAME.pem or NAME.key is missing or NAME.pem expires
# within the hour
stale() {
	[ ! -s "$dir/$1.key" ] || [ ! -s "$dir/$1.pem" ] ||
		! openssl x509 -noout -checkend 3600 -in "$dir/$1.pem" >/dev/null 2>&1
}

# A CA made anew invalidates what it signed before.
for pair in ca:server untrusted-ca:untrusted-server; do
	ca=${pair%%:*}
	srv=${pair#*:}
	if stale "$ca"; then
		rm -f "$dir/$ca.pem" "$dir/$srv.pem"
	elif stale "$srv"; then
		rm -f "$dir/$srv.pem"
	fi
done

make_ca ca "pam_oidc test CA"
make_server server ca
make_ca untrusted-ca "pam_oidc untrusted test CA"
make_server untrusted-server untrusted-ca
