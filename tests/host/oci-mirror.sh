#!/bin/bash
# Registry mirrors (bootc.registry.mirror=, /etc/netinit/registries.conf) against real
# registries on 127.0.0.1: an upstream docker-registry and a second one in pull-through mode
# (proxy: remoteurl) as the mirror. A pull goes through the mirror (every request carries
# ?ns=<upstream>; the tag is resolved by the upstream unless the mirror is resolve-tags);
# with the upstream stopped the mirror alone serves it: by digest, and by tag with
# resolve-tags; by tag without resolve-tags it fails (the mirror is not trusted with a tag).
# A mirror that serves a wrong blob (regproxy.py flip in front of the mirror) is refused by
# digest and the upstream serves it: the tree is still the image's. A dead mirror (a port
# nobody listens on) costs under 2 s. The same entries from a mirrors file; a bad line in it
# fails the pull naming the line; a mirror asking for credentials (regproxy.py basic) never
# gets the upstream's, only those of an entry for its own host.
set -u
NETINIT_ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NETINIT_BUILD=${NETINIT_BUILD:-$NETINIT_ROOT/build}
W=$NETINIT_BUILD/host/oci-mirror; rm -rf "$W"; mkdir -p "$W"
fail() { echo "FAIL: oci-mirror: $*" >&2; exit 1; }
skip() { echo "SKIP: oci-mirror: $*" >&2; exit 77; }
. "$NETINIT_ROOT/tests/host/oci/host-registry.sh"
start_mirror || fail "the pull-through docker-registry did not start"
UP=127.0.0.1:$REG_PORT; MI=127.0.0.1:$MIRROR_PORT

pull() { # name ref [opts]: unpack into $W/t-name
	n=$1; r=$2; shift 2
	rm -rf "$W/t-$n"; mkdir "$W/t-$n"
	"$U" "$@" "$r" "$W/t-$n" > "$W/$n.out" 2> "$W/$n.err"
}
nlayers=$(skopeo inspect --raw --tls-verify=false "docker://$UP/netinit/test@$PUSHED_DIGEST" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["layers"]))')

# 1. through the mirror, upstream up: the tag from the upstream, everything else from the mirror
: > "$W/mirror/log.mark"; lines0=$(wc -l < "$W/mirror/log")
pull through "docker://$UP/netinit/test:v1" -k -m "$UP=$MI,insecure" || { cat "$W/through.err"; fail "pull through the mirror"; }
same_tree "$W/ref/rootfs" "$W/t-through" || fail "pulled through the mirror: tree differs"
grep -q "manifest v1 from registry $UP" "$W/through.err" || fail "the tag was not resolved by the upstream: $(grep -i 'from \(mirror\|registry\)' "$W/through.err")"
grep -q "manifest sha256:.* from mirror $MI\|blob sha256:.* from mirror $MI" "$W/through.err" || fail "nothing from the mirror: $(cat "$W/through.err")"
# the config and every layer from the mirror, only the manifest by tag from the upstream
grep -q "^sources: $((nlayers + 1)) from mirror $MI, 1 from registry $UP\$" "$W/through.out" || fail "summary: $(cat "$W/through.out")"
tail -n +$((lines0 + 1)) "$W/mirror/log" > "$W/mirror/log.1"
grep -q 'ns=127.0.0.1' "$W/mirror/log.1" || fail "requests to the mirror carry no ?ns=: $(grep -m3 'GET /v2/' "$W/mirror/log.1")"
grep -q 'manifests/v1' "$W/mirror/log.1" && fail "the mirror was asked for the tag without resolve-tags"
# credentials for the upstream only: they must not reach the mirror (a 401 would be answered with them)
printf '%s netinit:s3cret\n' "$UP" > "$W/auth"
pull creds "docker://$UP/netinit/test:v1" -k -a "$W/auth" -m "$UP=$MI,insecure" || { cat "$W/creds.err"; fail "pull with upstream credentials"; }
grep -q "credentials for $MI" "$W/creds.err" && fail "the upstream's credentials were used for the mirror"
grep -q "credentials for $UP" "$W/creds.err" || fail "the upstream's credentials were not loaded: $(cat "$W/creds.err")"
# a mirror that asks for credentials (regproxy.py basic): it gets none of the upstream's, the
# upstream serves; with an entry for the mirror's own host it gets exactly that one
start_regproxy_for() { # MODE BACKEND_PORT: sets PX_PORT
	PX_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	python3 "$NETINIT_ROOT/tests/host/oci/regproxy.py" "$PX_PORT" "$2" "$1" > "$W/regproxy-$1.log" 2>&1 &
	PROXY_PID=$!
	for _ in $(seq 100); do curl -sS "http://127.0.0.1:$PX_PORT/" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
start_regproxy_for basic "$MIRROR_PORT" || fail "regproxy basic did not start"
BM=127.0.0.1:$PX_PORT
pull credsmirror "docker://$UP/netinit/test:v1" -k -a "$W/auth" -m "$UP=$BM,insecure" || { cat "$W/credsmirror.err"; fail "pull with a mirror asking for credentials"; }
grep -q "GOT-CREDS" "$W/regproxy-basic.log" && fail "the upstream's credentials went to the mirror"
grep -q "^sources: $((nlayers + 2)) from registry $UP\$" "$W/credsmirror.out" || fail "credentials mirror, summary: $(cat "$W/credsmirror.out")"
printf '%s netinit:s3cret\n%s rack:cache-pw\n' "$UP" "$BM" > "$W/auth2"
pull credsown "docker://$UP/netinit/test:v1" -k -a "$W/auth2" -m "$UP=$BM,insecure" || { cat "$W/credsown.err"; fail "pull with the mirror's own credentials"; }
[ "$(grep GOT-CREDS "$W/regproxy-basic.log" | sort -u | awk '{print $3}')" = "$(printf 'rack:cache-pw' | base64)" ] ||
	fail "the mirror did not get exactly its own credentials: $(grep GOT-CREDS "$W/regproxy-basic.log" | sort -u)"
grep -q "^sources: $((nlayers + 1)) from mirror $BM, 1 from registry $UP\$" "$W/credsown.out" || fail "own credentials, summary: $(cat "$W/credsown.out")"
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null; PROXY_PID=
# a resolve-tags mirror answers the tag too (the pull-through registry caches it then)
pull trusted "docker://$UP/netinit/test:v1" -k -m "$UP=$MI,insecure,resolve-tags" || { cat "$W/trusted.err"; fail "pull with resolve-tags"; }
grep -q "manifest v1 from mirror $MI" "$W/trusted.err" || fail "the resolve-tags mirror did not answer the tag"
grep -q "^sources: $((nlayers + 2)) from mirror $MI\$" "$W/trusted.out" || fail "resolve-tags, summary: $(cat "$W/trusted.out")"
grep -q 'manifests/v1?ns=127.0.0.1' "$W/mirror/log" || fail "the mirror was not asked for the tag with ?ns="

# 2. the upstream stopped: the mirror alone, by digest; by tag only with resolve-tags
kill "$REG_PID"; wait "$REG_PID" 2>/dev/null; REG_PID=
pull alone "docker://$UP/netinit/test@$PUSHED_DIGEST" -k -m "$UP=$MI,insecure" || { cat "$W/alone.err"; fail "pull by digest from the mirror alone"; }
same_tree "$W/ref/rootfs" "$W/t-alone" || fail "mirror alone: tree differs"
grep -q "^sources: $((nlayers + 2)) from mirror $MI\$" "$W/alone.out" || fail "mirror alone, summary: $(cat "$W/alone.out")"
pull aloneTag "docker://$UP/netinit/test:v1" -k -m "$UP=$MI,insecure,resolve-tags" || { cat "$W/aloneTag.err"; fail "pull by tag from a resolve-tags mirror alone"; }
same_tree "$W/ref/rootfs" "$W/t-aloneTag" || fail "resolve-tags mirror alone: tree differs"
grep -q "manifest v1 from mirror $MI" "$W/aloneTag.err" || fail "the tag was not resolved by the resolve-tags mirror"
printf '# the rack cache\n\n  %s=%s,insecure,resolve-tags   # trusted with tags\n' "$UP" "$MI" > "$W/mirrors.conf"
pull file "docker://$UP/netinit/test:v1" -k -M "$W/mirrors.conf" || { cat "$W/file.err"; fail "pull with the mirrors file"; }
same_tree "$W/ref/rootfs" "$W/t-file" || fail "mirrors file: tree differs"
grep -q "^sources: .* from mirror $MI\$" "$W/file.out" || fail "mirrors file, summary: $(cat "$W/file.out")"
printf '%s=%s,insecure\n%s=%s,trusted\n' "$UP" "$MI" "$UP" "$MI" > "$W/bad.conf"
pull badconf "docker://$UP/netinit/test:v1" -k -q -M "$W/bad.conf" && fail "a mirrors file with a bad line was accepted"
grep -q "bad.conf:2: .*unknown option \"trusted\"" "$W/badconf.err" || fail "bad mirrors file: $(cat "$W/badconf.err")"
t0=$(date +%s%N)
pull notrust "docker://$UP/netinit/test:v1" -k -q -m "$UP=$MI,insecure" && fail "a tag was taken from a mirror without resolve-tags"
t1=$(date +%s%N)

# 3. the upstream back; a mirror that flips a byte of the biggest blob: refused, the upstream serves it
restart_registry || fail "the upstream did not start again"
start_flipper "$MIRROR_PORT" || fail "regproxy flip did not start"
pull flip "docker://$UP/netinit/test:v1" -k -m "$UP=127.0.0.1:$FLIP_PORT,insecure" || { cat "$W/flip.err"; fail "pull with a mirror serving a wrong blob"; }
grep -q "flipped a byte" "$W/regproxy-flip.log" || fail "the flipping mirror did not flip"
same_tree "$W/ref/rootfs" "$W/t-flip" || fail "the wrong blob changed the tree"
grep -q "mirror 127.0.0.1:$FLIP_PORT: layer digest mismatch: .*; emptying .* and unpacking again from the next source" "$W/flip.err" || fail "no refusal of the mirror's blob: $(cat "$W/flip.err")"
grep -q "^sources: .*from registry $UP" "$W/flip.out" || fail "the upstream did not serve after the refusal: $(cat "$W/flip.out")"

# 4. a dead mirror: the upstream serves, for little more than a direct pull
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
a0=$(date +%s%N); pull direct "docker://$UP/netinit/test:v1" -k -q || fail "direct pull"; a1=$(date +%s%N)
b0=$(date +%s%N); pull dead "docker://$UP/netinit/test:v1" -k -m "$UP=127.0.0.1:$DEAD,insecure" || { cat "$W/dead.err"; fail "pull with a dead mirror"; }; b1=$(date +%s%N)
same_tree "$W/ref/rootfs" "$W/t-dead" || fail "dead mirror: tree differs"
grep -q "^sources: $((nlayers + 2)) from registry $UP\$" "$W/dead.out" || fail "dead mirror, summary: $(cat "$W/dead.out")"
[ "$(grep -c "mirror 127.0.0.1:$DEAD: .*trying the next source" "$W/dead.err")" = 1 ] || fail "the dead mirror was asked more than once: $(grep -c "127.0.0.1:$DEAD" "$W/dead.err")"
extra=$(( (b1 - b0 - (a1 - a0)) / 1000000 ))
echo "oci-mirror: direct pull $(( (a1 - a0) / 1000000 )) ms, with a dead mirror first $(( (b1 - b0) / 1000000 )) ms (+$extra ms)"
[ "$extra" -lt 2000 ] || fail "a dead mirror cost $extra ms"
echo "PASS: oci-mirror (not-trusted tag refused after $(( (t1 - t0) / 1000000 )) ms)"
