# Shell helpers shared by scripts/demo and bench/run (sourced, not run).
# They drive the real binaries exactly as an operator would.

YS_PY=/usr/bin/python3

# A free TCP port on loopback.
ys_free_port() {
	$YS_PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ys_wait_health URL CA: wait up to 5 s for the API to answer.
ys_wait_health() {
	for _ in $(seq 50); do
		curl -sf --cacert "$2" "$1/v1/health" >/dev/null && return 0
		sleep 0.1
	done
	echo "yunshoud did not come up at $1" >&2
	return 1
}

# ys_totp SECRET: the current RFC 6238 code (what an authenticator app shows).
ys_totp() {
	$YS_PY - "$1" <<'PYEOF'
import base64, hashlib, hmac, struct, sys, time
k = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
h = hmac.new(k, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000))
PYEOF
}

# ys_json_field FIELD: read one top-level field of the JSON on stdin.
ys_json_field() {
	$YS_PY -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# ys_bootstrap_admin YS_CMD ONE_TIME_PW NEW_PW: first login of the provider
# administrator (one-time password change, then MFA enrolment). Prints the
# MFA secret. YUNSHOU_CONFIG_DIR must point at the admin's config dir.
ys_bootstrap_admin() {
	local ys=$1 secret
	YUNSHOU_PASSWORD="$2" YUNSHOU_NEW_PASSWORD="$3" $ys login admin >/dev/null 2>&1
	secret=$($ys --json mfa setup | ys_json_field secret)
	$ys mfa enable --otp "$(ys_totp "$secret")" >/dev/null
	echo "$secret"
}
