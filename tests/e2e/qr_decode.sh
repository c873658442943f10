#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The QR code that the clinician sees decodes (zbarimg, as a phone camera
# would) to verification_uri_complete, in both renderings, and the decoded
# link completes the sign-in.
. "$(dirname "$0")/lib.sh"

require_root
command -v zbarimg >/dev/null || die "zbarimg not found (apt-get install zbar-tools)"
ensure_user alice
make_certs
start_provider
write_service oidc-login
QR2PBM=$top_builddir/tests/tools/qrtext2pbm

for mode in utf8 ascii; do
	QR_MODE=$mode write_config "$T/pam_oidc.conf"
	start_login oidc-login alice
	wait_for "The code is valid for" 20
	uri=$(sed -n 's/^Open \(https:[^ ]*\)$/\1/p' "$LAST_OUT" | head -n 1)
	code=$(sed -n 's/^and enter the code: \(.*\)$/\1/p' "$LAST_OUT" | head -n 1)
	"$QR2PBM" < "$LAST_OUT" > "$T/qr-$mode.pbm"
	decoded=$(zbarimg --raw -q "$T/qr-$mode.pbm" 2>/dev/null)
	check "$mode QR code decodes to verification_uri_complete" \
		[ "$decoded" = "$uri?user_code=$code" ]
	if [ "$mode" = utf8 ]; then
		check "utf8 QR uses half blocks" grep -q "$(printf '\342\226\200')" "$LAST_OUT"
	else
		check "ascii QR is plain ASCII" sh -c "! LC_ALL=C grep -q '[^ -~]' '$LAST_OUT'"
	fi
	# the phone opens the decoded link: no code typed
	"$NODE" "$PROVIDER_DIR/browser.mjs" --ca "$T/certs/ca.pem" --uri "$decoded" \
		--login alice --action approve >> "$T/browser.log" 2>&1
	end_login
	check "$mode: approving through the decoded link signs alice in" [ "$LOGIN_RC" -eq 0 ]
done

QR_MODE=off write_config "$T/pam_oidc.conf"
start_login oidc-login alice
wait_for "The code is valid for" 20
check "qr = off shows no QR code" sh -c "! grep -q 'scan this QR code' '$LAST_OUT'"
browser alice approve
end_login
check "qr = off: the typed code still signs alice in" [ "$LOGIN_RC" -eq 0 ]

finish
