#!/bin/bash
# The registry client against Debian's docker-registry on 127.0.0.1: pull by tag and by
# digest (plain HTTP via the unsecure fallback), the Bearer token flow with credentials from
# a file, a blob redirect to another host that must not see the token, and clear errors
# for 404, 500 and a 401 without a challenge; a blob transfer cut halfway resumes with Range. The unpacked root is compared with umoci's.
# With -o (what bootc.kexec.reuse-image=1 uses) the pull also writes an oci-archive, at a base
# offset too: skopeo and umoci read it, its digests are the registry's, it unpacks to the same tree
# (also after cut + resumed transfers), and our own archive reader reads it at that offset.
set -u
NETINIT_ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NETINIT_BUILD=${NETINIT_BUILD:-$NETINIT_ROOT/build}
W=$NETINIT_BUILD/host/oci-registry; rm -rf "$W"; mkdir -p "$W"
fail() { echo "FAIL: oci-registry: $*" >&2; exit 1; }
skip() { echo "SKIP: oci-registry: $*" >&2; exit 77; }
. "$NETINIT_ROOT/tests/host/oci/host-registry.sh"

pull() { # name ref [opts]: unpack into $W/t-name
	n=$1; r=$2; shift 2
	rm -rf "$W/t-$n"; mkdir "$W/t-$n"
	"$U" "$@" "$r" "$W/t-$n" > "$W/$n.out" 2> "$W/$n.err"
}
P=127.0.0.1:$REG_PORT
pull tag "docker://$P/netinit/test:v1" -k || { cat "$W/tag.err"; fail "pull by tag"; }
grep -q 'trying plain HTTP' "$W/tag.err" || fail "no plain-HTTP fallback warning"
same_tree "$W/ref/rootfs" "$W/t-tag" || fail "pull by tag differs from umoci unpack"
pull digest "docker://$P/netinit/test@$PUSHED_DIGEST" -k || { cat "$W/digest.err"; fail "pull by digest"; }
grep -q "manifest $PUSHED_DIGEST" "$W/digest.out" || fail "by digest: $(cat "$W/digest.out")"
pull nossl "docker://$P/netinit/test:v1" -q && fail "plain HTTP without -k (unsecure) must fail"
pull missing "docker://$P/netinit/test:nope" -k -q && fail "missing tag pulled"
grep -q 'not found (404) (MANIFEST_UNKNOWN' "$W/missing.err" || fail "404: $(cat "$W/missing.err")"
baddigest=sha256:$(printf '%064d' 0)
pull baddig "docker://$P/netinit/test@$baddigest" -k -q && fail "wrong digest pulled"
grep -q '404' "$W/baddig.err" || fail "wrong digest: $(cat "$W/baddig.err")"

# the pull keeps an oci-archive: a valid one, with the registry's digests and the same tree
check_archive() { # NAME FILE: skopeo and umoci read FILE as an oci-archive labelled v1
	n=$1; f=$2
	skopeo inspect --raw "oci-archive:$f:v1" > "$W/$n.manifest" 2> "$W/$n.skopeo.err" || { cat "$W/$n.skopeo.err"; return 1; }
	[ "sha256:$(sha256sum < "$W/$n.manifest" | cut -d' ' -f1)" = "$PUSHED_DIGEST" ] || { echo "manifest digest differs from $PUSHED_DIGEST"; return 1; }
	skopeo inspect --raw --tls-verify=false "docker://$P/netinit/test:v1" | cmp -s - "$W/$n.manifest" || { echo "manifest differs from the registry's"; return 1; }
	skopeo inspect "oci-archive:$f:v1" > "$W/$n.inspect" 2>&1 || { cat "$W/$n.inspect"; return 1; }
	python3 - "$W/$n.inspect" "$W/ref.inspect" <<'EOP' || return 1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
if a["Layers"] != b["Layers"] or a["Digest"] != b["Digest"]:
    sys.exit("layers/digest differ: %r vs %r" % ((a["Digest"], a["Layers"]), (b["Digest"], b["Layers"])))
EOP
	rm -rf "$W/$n.lay" "$W/$n.umoci"; mkdir "$W/$n.lay"
	tar -C "$W/$n.lay" -xf "$f" || return 1
	umoci unpack --image "$W/$n.lay:v1" "$W/$n.umoci" > /dev/null 2>&1 || { echo "umoci unpack of $f failed"; return 1; }
	same_tree "$W/ref/rootfs" "$W/$n.umoci/rootfs"
}
skopeo inspect --tls-verify=false "docker://$P/netinit/test:v1" > "$W/ref.inspect" || fail "skopeo inspect of the registry"
pull keep "docker://$P/netinit/test:v1" -k -o "$W/keep.oci" -r v1 || { cat "$W/keep.err"; fail "pull with -o"; }
same_tree "$W/ref/rootfs" "$W/t-keep" || fail "pull with -o: unpacked tree differs"
check_archive keep "$W/keep.oci" || fail "the oci-archive written by the pull is not the image"
pull keepbase "docker://$P/netinit/test:v1" -k -q -o "$W/keepbase.img" -r v1 -b 120 || { cat "$W/keepbase.err"; fail "pull with -o -b 120"; }
[ -z "$(head -c 120 "$W/keepbase.img" | od -v -An -tx1 | tr -d ' 0\n')" ] || fail "bytes before the base were written"
tail -c +121 "$W/keepbase.img" | cmp -s - "$W/keep.oci" || fail "the archive at base 120 differs from the one at 0"
pull readbase "$W/keepbase.img" -l v1 -b 120 || { cat "$W/readbase.err"; fail "reading the archive at base 120"; }
same_tree "$W/ref/rootfs" "$W/t-readbase" || fail "archive at base 120: tree differs"
echo "  keep: $(stat -c %s "$W/keep.oci") bytes of oci-archive, layers $(python3 -c 'import json,sys; print(sum(l["size"] for l in json.load(open(sys.argv[1]))["layers"]))' "$W/keep.manifest") bytes"

start_regproxy token || fail "regproxy"
Q=127.0.0.1:$PROXY_PORT
pull noauth "docker://$Q/netinit/test:v1" -k -q -a /nonexistent && fail "token flow without credentials pulled"
grep -q 'token service .* answered 401: it wants credentials' "$W/noauth.err" || fail "no-credentials: $(cat "$W/noauth.err")"
printf '# registry credentials\n%s netinit:s3cret\n' "$Q" > "$W/auth"
printf '%s netinit:wrong\n' "$Q" > "$W/badauth"
pull badauth "docker://$Q/netinit/test:v1" -k -q -a "$W/badauth" && fail "wrong password pulled"
grep -q 'credentials were refused' "$W/badauth.err" || fail "bad credentials: $(cat "$W/badauth.err")"
grep -q 's3cret\|wrong' "$W/badauth.err" "$W/noauth.err" && fail "a password was printed"
pull token "docker://$Q/netinit/test:v1" -k -a "$W/auth" || { cat "$W/token.err"; fail "token flow"; }
same_tree "$W/ref/rootfs" "$W/t-token" || fail "token pull differs"
grep -q 'GET /direct/v2/.*/blobs/' "$W/regproxy-token.log" || fail "no blob redirect happened"
grep -q 'Authorization leaked' "$W/token.err" && fail "Authorization sent to another host"
kill $PROXY_PID; wait $PROXY_PID 2>/dev/null

start_regproxy cut || fail "regproxy"
pull cut "docker://127.0.0.1:$PROXY_PORT/netinit/test:v1" -k || { cat "$W/cut.err"; fail "pull through cut transfers"; }
grep -q 'regproxy: cut ' "$W/regproxy-cut.log" || fail "no transfer was cut"
grep -q 'regproxy: range .* bytes=[1-9][0-9]*-' "$W/regproxy-cut.log" || fail "no Range request after the cut"
grep -q 'resuming .* at byte' "$W/cut.err" || fail "no resume event"
same_tree "$W/ref/rootfs" "$W/t-cut" || fail "resumed pull differs"
kill $PROXY_PID; wait $PROXY_PID 2>/dev/null
start_regproxy cut || fail "regproxy" # a fresh proxy cuts every blob's first GET again
pull cutkeep "docker://127.0.0.1:$PROXY_PORT/netinit/test:v1" -k -o "$W/cutkeep.oci" -r v1 || { cat "$W/cutkeep.err"; fail "pull with -o through cut transfers"; }
[ "$(grep -c 'resuming .* at byte' "$W/cutkeep.err")" -ge 1 ] || fail "pull with -o: no transfer was resumed"
same_tree "$W/ref/rootfs" "$W/t-cutkeep" || fail "resumed pull with -o differs"
cmp -s "$W/cutkeep.oci" "$W/keep.oci" || fail "the oci-archive written through cut transfers differs from the uncut one"
check_archive cutkeep "$W/cutkeep.oci" || fail "the oci-archive written through cut transfers is not the image"
kill $PROXY_PID; wait $PROXY_PID 2>/dev/null
start_regproxy fail500 || fail "regproxy"
pull e500 "docker://127.0.0.1:$PROXY_PORT/netinit/test:v1" -k -q
grep -q 'answered 500 (UNKNOWN: test failure) after [0-9]* attempts' "$W/e500.err" || fail "500: $(cat "$W/e500.err")"
kill $PROXY_PID; wait $PROXY_PID 2>/dev/null
start_regproxy deny401 || fail "regproxy"
pull e401 "docker://127.0.0.1:$PROXY_PORT/netinit/test:v1" -k -q
grep -q 'answered 401 without a usable WWW-Authenticate' "$W/e401.err" || fail "401: $(cat "$W/e401.err")"

# Hostile registries (tests/host/oci/regproxy.py's hostile modes): each pull ends in one line.
hostile() { # MODE NAME [opts]: pull through a proxy in MODE, credentials for it in $W/auth-MODE
	kill $PROXY_PID 2>/dev/null; wait $PROXY_PID 2>/dev/null
	start_regproxy "$1" || fail "regproxy $1"
	printf '127.0.0.1:%s netinit:s3cret\n' "$PROXY_PORT" > "$W/auth-$1"
	m=$1 n=$2; shift 2
	t0=$(date +%s)
	pull "$n" "docker://127.0.0.1:$PROXY_PORT/netinit/test:v1" -k -a "$W/auth-$m" "$@"
	HOSTILE_RC=$? HOSTILE_S=$(( $(date +%s) - t0 ))
}
# a 206 whose Content-Range is not the range asked for: start over, the image is intact
hostile bad206 bad206
[ $HOSTILE_RC = 0 ] || { cat "$W/bad206.err"; fail "bad206: the pull failed"; }
grep -q 'answered from 0' "$W/regproxy-bad206.log" || fail "bad206: no wrong 206 was sent"
grep -q 'with another range' "$W/bad206.err" || fail "bad206: the wrong range was not noticed"
same_tree "$W/ref/rootfs" "$W/t-bad206" || fail "bad206: the tree differs"
# Range ignored and every transfer cut halfway: no progress, so it gives up at the deadline (10 s)
hostile norange norange -q
[ $HOSTILE_RC != 0 ] || fail "norange: a pull that never completes succeeded"
grep -q 'giving up on .* after [0-9]* s and [0-9]* attempts' "$W/norange.err" || fail "norange: $(cat "$W/norange.err")"
[ "$HOSTILE_S" -le 40 ] || fail "norange: took ${HOSTILE_S}s with a 10 s deadline"
# one byte a second: a stall, given up on at the deadline
hostile trickle trickle -q
[ $HOSTILE_RC != 0 ] || fail "trickle: succeeded"
grep -q 'stalled, [0-9]* bytes in 30 s' "$W/trickle.err" || fail "trickle: $(cat "$W/trickle.err")"
# a blob redirected to a host that answers 401 with its own realm: no token flow there
hostile cdn401 cdn401 -q
[ $HOSTILE_RC != 0 ] || fail "cdn401: succeeded"
grep -q 'redirected to http://127.0.0.1:[0-9]*, which answered 401; credentials go only to the registry' "$W/cdn401.err" || fail "cdn401: $(cat "$W/cdn401.err")"
grep -q 'STEAL' "$W/regproxy-cdn401.log" && fail "cdn401: the client went to the realm the CDN named"
grep -q 'GET /cdn/' "$W/regproxy-cdn401.log" || fail "cdn401: no redirect to the CDN happened"
# a Bearer realm on plain http at another host: the token request goes without credentials
hostile realm realm
[ $HOSTILE_RC != 0 ] || fail "realm: succeeded"
grep -q 'TOKEN auth=False' "$W/regproxy-realm.log" || fail "realm: no anonymous token request"
grep -q 'TOKEN auth=True' "$W/regproxy-realm.log" && fail "realm: credentials sent over http to another host"
grep -q "they go only over https or to the registry.s own host" "$W/realm.err" || fail "realm: $(cat "$W/realm.err")"
# a manifest with 100000 layers is refused by size, not parsed
hostile many many -q
[ $HOSTILE_RC != 0 ] || fail "many: succeeded"
grep -q 'larger than\|at most' "$W/many.err" || fail "many: $(cat "$W/many.err")"
kill $PROXY_PID 2>/dev/null; wait $PROXY_PID 2>/dev/null
for f in tag digest keep cut cutkeep missing baddig noauth badauth token e500 e401 bad206 norange trickle cdn401 realm many; do echo "  $f: $(tail -n 1 "$W/$f.err" 2>/dev/null | cut -c1-200)"; done
echo "PASS: oci-registry"
