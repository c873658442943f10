#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Regenerates the non-RFC fixtures in this directory with the openssl CLI.
# The RFC vectors (rfc*.jws, rfc*.jwk.json) are copied from the RFCs and are
# not touched.  Keys are made fresh on every run, their private halves are
# thrown away: only public JWKs and signed tokens are kept.
#
# Needs: openssl (3.x), basenc, od, sed, tr.
set -eu

cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

b64u() { basenc --base64url -w0 | tr -d '='; }
hex2bin() { tr -d '\n' | sed 's/../\\x&/g' | xargs -0 printf '%b'; }
bin2hex() { od -An -v -tx1 | tr -d ' \n'; }
b64u_dec() {
	s=$(cat)
	case $((${#s} % 4)) in
	2) s="$s==" ;;
	3) s="$s=" ;;
	esac
	printf '%s' "$s" | basenc --base64url -d
}

# payload used by the generated tokens
payload='{"iss":"https://idp.example.org","sub":"alice","aud":"workstation","exp":1300819380}'
pay64=$(printf '%s' "$payload" | b64u)

# rsa_jwk KEY.pem KID -> public JWK on stdout
rsa_jwk() {
	n=$(openssl rsa -in "$1" -noout -modulus | sed 's/^Modulus=//' | hex2bin | b64u)
	e=$(openssl rsa -in "$1" -noout -text | sed -n 's/^publicExponent: \([0-9]*\).*/\1/p')
	[ "$e" = 65537 ] || { echo "unexpected exponent $e" >&2; exit 1; }
	printf '{"kty":"RSA","kid":"%s","n":"%s","e":"AQAB"}\n' "$2" "$n"
}

# ec_jwk KEY.pem CRV FIELD_BYTES KID -> public JWK on stdout
ec_jwk() {
	openssl pkey -in "$1" -pubout -outform DER >"$tmp/spki"
	tail -c $((2 * $3)) "$tmp/spki" >"$tmp/xy"
	x=$(head -c "$3" "$tmp/xy" | b64u)
	y=$(tail -c "$3" "$tmp/xy" | b64u)
	printf '{"kty":"EC","kid":"%s","crv":"%s","x":"%s","y":"%s"}\n' "$4" "$2" "$x" "$y"
}

# ed_jwk KEY.pem KID -> public JWK on stdout
ed_jwk() {
	x=$(openssl pkey -in "$1" -pubout -outform DER | tail -c 32 | b64u)
	printf '{"kty":"OKP","kid":"%s","crv":"Ed25519","x":"%s"}\n' "$2" "$x"
}

# ecdsa_raw FIELD_BYTES < DER signature -> raw r||s on stdout
ecdsa_raw() {
	cat >"$tmp/der"
	for v in $(openssl asn1parse -inform DER -in "$tmp/der" |
		sed -n 's/.*INTEGER *:\([0-9A-F]*\).*/\1/p'); do
		printf "%0$(($1 * 2))s" "$v" | tr ' ' 0
	done | hex2bin
}

# header JSON -> b64
hdr() { printf '%s' "$1" | b64u; }

# --- RSA 2048 (kid rsa-gen): the "other RSA key", and a PS256 token ---------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/rsa2048.pem" 2>/dev/null
rsa_jwk "$tmp/rsa2048.pem" rsa-gen >rsa2048-gen.jwk.json
si="$(hdr '{"alg":"PS256","kid":"rsa-gen"}').$pay64"
sig=$(printf '%s' "$si" | openssl dgst -sha256 -sign "$tmp/rsa2048.pem" \
	-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
	-sigopt rsa_mgf1_md:sha256 | b64u)
echo "$si.$sig" >ps256-gen.jws
si="$(hdr '{"alg":"RS256","kid":"rsa-gen"}').$pay64"
sig=$(printf '%s' "$si" | openssl dgst -sha256 -sign "$tmp/rsa2048.pem" | b64u)
echo "$si.$sig" >rs256-gen.jws

# --- RSA 1024 (kid weak): a correctly signed token from a too-small key -----
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$tmp/rsa1024.pem" 2>/dev/null
rsa_jwk "$tmp/rsa1024.pem" weak >rsa1024.jwk.json
si="$(hdr '{"alg":"RS256","kid":"weak"}').$pay64"
sig=$(printf '%s' "$si" | openssl dgst -sha256 -sign "$tmp/rsa1024.pem" | b64u)
echo "$si.$sig" >rsa1024-RS256.jws

# --- P-256 (kid ec-gen): the "other EC key", raw and DER-signed tokens ------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/p256.pem" 2>/dev/null
ec_jwk "$tmp/p256.pem" P-256 32 ec-gen >p256-gen.jwk.json
si="$(hdr '{"alg":"ES256","kid":"ec-gen"}').$pay64"
printf '%s' "$si" | openssl dgst -sha256 -sign "$tmp/p256.pem" >"$tmp/sig.der"
sig=$(ecdsa_raw 32 <"$tmp/sig.der" | b64u)
echo "$si.$sig" >es256-gen.jws
# attack: the same signature left in DER form (70-72 bytes, not r||s)
echo "$si.$(b64u <"$tmp/sig.der")" >es256-der-signature.jws

# --- P-384 (kid ec384-gen) and P-521 (kid ec521-gen) ------------------------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$tmp/p384.pem" 2>/dev/null
ec_jwk "$tmp/p384.pem" P-384 48 ec384-gen >p384-gen.jwk.json
si="$(hdr '{"alg":"ES384","kid":"ec384-gen"}').$pay64"
sig=$(printf '%s' "$si" | openssl dgst -sha384 -sign "$tmp/p384.pem" | ecdsa_raw 48 | b64u)
echo "$si.$sig" >es384-gen.jws
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$tmp/p521.pem" 2>/dev/null
ec_jwk "$tmp/p521.pem" P-521 66 ec521-gen >p521-gen.jwk.json
si="$(hdr '{"alg":"ES512","kid":"ec521-gen"}').$pay64"
sig=$(printf '%s' "$si" | openssl dgst -sha512 -sign "$tmp/p521.pem" | ecdsa_raw 66 | b64u)
echo "$si.$sig" >es512-gen.jws

# --- Ed25519 (kid ed-gen): the "other Ed25519 key" --------------------------
openssl genpkey -algorithm ED25519 -out "$tmp/ed.pem" 2>/dev/null
ed_jwk "$tmp/ed.pem" ed-gen >ed25519-gen.jwk.json

# --- EdDSA token with a JSON payload, signed with the RFC 8037 A.1 key ------
# (Ed25519 is deterministic: this file is the same on every run)
d=$(sed -n 's/.*"d":"\([^"]*\)".*/\1/p' rfc8037-A.4.jwk.json)
{ printf '302e020100300506032b657004220420' | hex2bin
  printf '%s' "$d" | b64u_dec; } >"$tmp/ed8037.der"
openssl pkey -inform DER -in "$tmp/ed8037.der" -out "$tmp/ed8037.pem"
si="$(hdr '{"alg":"EdDSA"}').$pay64"
printf '%s' "$si" >"$tmp/si"
sig=$(openssl pkeyutl -sign -inkey "$tmp/ed8037.pem" -rawin -in "$tmp/si" | b64u)
echo "$si.$sig" >rfc8037-A.4-key-json-payload.jws

# --- key confusion: HS256 keyed with the RFC 7515 A.2 RSA public key (PEM) --
n_hex=$(sed -n 's/.*"n":"\([^"]*\)".*/\1/p' rfc7515-A.2.jwk.json |
	b64u_dec | bin2hex)
cat >"$tmp/asn1.cnf" <<EOF
asn1=SEQUENCE:spki
[spki]
algo=SEQUENCE:alg
key=BITWRAP,SEQUENCE:rsapub
[alg]
algorithm=OID:rsaEncryption
parameter=NULL
[rsapub]
n=INTEGER:0x$n_hex
e=INTEGER:0x010001
EOF
openssl asn1parse -genconf "$tmp/asn1.cnf" -out "$tmp/a2pub.der" >/dev/null
openssl pkey -pubin -inform DER -in "$tmp/a2pub.der" -out "$tmp/a2pub.pem"
si="$(hdr '{"alg":"HS256"}').$pay64"
sig=$(printf '%s' "$si" | openssl dgst -sha256 -mac HMAC \
	-macopt "hexkey:$(bin2hex <"$tmp/a2pub.pem")" -binary | b64u)
echo "$si.$sig" >hs256-key-confusion.jws

echo "fixtures regenerated"
