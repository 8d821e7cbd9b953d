# Shared helpers for tests/host/fetch-*.sh and bench/fetch.sh (sourced).
# Daemons bind 127.0.0.1 only and are killed by fetch_cleanup (trap EXIT).
NETINIT_ROOT=${NETINIT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NETINIT_BUILD=${NETINIT_BUILD:-$NETINIT_ROOT/build}
FETCHTOOL=$NETINIT_BUILD/fetch/fetchtool
PY=/usr/bin/python3
FETCH_PIDS=""
FETCH_FAILS=0
FETCH_TMP=$(mktemp -d /tmp/netinit-fetch.XXXXXX)
chmod 755 "$FETCH_TMP"

kill_tree() {	# PID and every descendant (vsftpd's session processes ignore SIGTERM);
	# stopped first so that a master (nginx) cannot respawn a worker meanwhile
	kill -STOP "$1" 2>/dev/null || return 0
	for k in $(ps -o pid= --ppid "$1"); do kill_tree "$k"; done
	kill -9 "$1" 2>/dev/null || true
}

fetch_cleanup() {
	for p in $FETCH_PIDS; do kill_tree "$p"; done
	for p in $FETCH_PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$FETCH_TMP"
}

fetch_need() {
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || [ -x "$t" ] || { echo "SKIP: $t missing (tools/packages/fetch.txt)"; exit 77; }
	done
	sh "$NETINIT_ROOT/tests/host/fetch/build.sh" "$FETCHTOOL" || exit $?
}

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {	# PORT [tcp|udp]: until something listens
	i=0
	while [ $i -lt 50 ]; do
		if [ "${2:-tcp}" = udp ]; then ss -Hlun "sport = :$1" | grep -q . && return 0
		else ss -Hltn "sport = :$1" | grep -q . && return 0; fi
		sleep 0.1; i=$((i + 1))
	done
	echo "nothing listens on port $1" >&2
	return 1
}

# start_nginx DOCROOT PORT [TLS_PORT CERT KEY]: plain http on PORT, /norange/ ignores Range.
start_nginx() {
	d=$FETCH_TMP/nginx-$2
	mkdir -p "$d/tmp"
	tls=""
	if [ -n "${3:-}" ]; then
		tls="server { listen 127.0.0.1:$3 ssl; ssl_certificate $4; ssl_certificate_key $5; root $1; }"
	fi
	cat > "$d/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $d/tmp; proxy_temp_path $d/tmp; fastcgi_temp_path $d/tmp;
	uwsgi_temp_path $d/tmp; scgi_temp_path $d/tmp;
	sendfile on;
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$2;
		root $1;
		location /norange/ { alias $1/; max_ranges 0; }
		location /fail503/ { return 503; }
		location /forbidden/ { return 403; }
	}
	$tls
}
CONF
	nginx -c "$d/nginx.conf" -p "$d" 2>"$d/stderr" &
	FETCH_PIDS="$FETCH_PIDS $!"
	wait_port "$2"
	[ -z "${3:-}" ] || wait_port "$3"
}

# start_nginx_tls PORT CERT KEY DOCROOT PROTOCOLS: https only, with nginx's ssl_protocols
# (e.g. "TLSv1.3"); each request is logged as "<protocol> <cipher> <request>" to
# $FETCH_TMP/nginx-tls-PORT/tls.log.
start_nginx_tls() {
	d=$FETCH_TMP/nginx-tls-$1
	mkdir -p "$d/tmp"
	cat > "$d/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 64; }
http {
	log_format tls '\$ssl_protocol \$ssl_cipher "\$request"';
	access_log $d/tls.log tls;
	client_body_temp_path $d/tmp; proxy_temp_path $d/tmp; fastcgi_temp_path $d/tmp;
	uwsgi_temp_path $d/tmp; scgi_temp_path $d/tmp;
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$1 ssl; root $4;
		ssl_certificate $2; ssl_certificate_key $3; ssl_protocols $5;
	}
}
CONF
	nginx -c "$d/nginx.conf" -p "$d" 2>"$d/stderr" &
	FETCH_PIDS="$FETCH_PIDS $!"
	wait_port "$1"
}

# start_nginx_proxy PORT UPSTREAM_PORT: an HTTP proxy that sends every request to UPSTREAM_PORT
start_nginx_proxy() {
	d=$FETCH_TMP/nginx-proxy-$1
	mkdir -p "$d/tmp"
	cat > "$d/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 64; }
http {
	access_log $d/access.log;
	client_body_temp_path $d/tmp; proxy_temp_path $d/tmp; fastcgi_temp_path $d/tmp;
	uwsgi_temp_path $d/tmp; scgi_temp_path $d/tmp;
	server { listen 127.0.0.1:$1; location / { proxy_pass http://127.0.0.1:$2; } }
}
CONF
	nginx -c "$d/nginx.conf" -p "$d" 2>"$d/stderr" &
	FETCH_PIDS="$FETCH_PIDS $!"
	wait_port "$1"
}

# start_cutproxy PORT UPSTREAM_PORT CUT_BYTES CUT_CONNS LOG [exit]: tests/tools/cutproxy.py
start_cutproxy() {
	$PY "$NETINIT_ROOT/tests/tools/cutproxy.py" "$@" &
	FETCH_PIDS="$FETCH_PIDS $!"
	wait_port "$1"
}

# start_vsftpd ROOT PORT: anonymous read-only ftp in the foreground.
start_vsftpd() {
	c=$FETCH_TMP/vsftpd-$2.conf
	mkdir -p "$FETCH_TMP/vsftpd-empty"
	cat > "$c" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$2
background=NO
anonymous_enable=YES
local_enable=NO
write_enable=NO
no_anon_password=YES
anon_root=$1
ftp_username=ftp
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$(($2 + 1))
pasv_max_port=$(($2 + 20))
secure_chroot_dir=$FETCH_TMP/vsftpd-empty
seccomp_sandbox=NO
xferlog_enable=NO
use_localtime=NO
CONF
	vsftpd "$c" &
	FETCH_PIDS="$FETCH_PIDS $!"
	wait_port "$2"
}

# start_tftpd ROOT PORT
start_tftpd() {
	in.tftpd -L -s "$1" -a "127.0.0.1:$2" &
	FETCH_PIDS="$FETCH_PIDS $!"
	wait_port "$2" udp
}

# make_certs DIR: ca.pem, server.pem/key for localhost and 127.0.0.1, server-noip.pem/key for
# localhost only, and other-ca.pem
make_certs() {
	(
	cd "$1"
	for ca in ca other-ca; do
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=netinit test $ca" \
			-keyout $ca.key -out $ca.pem 2>/dev/null
	done
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
		-extfile san.ext -out server.pem 2>/dev/null
	# the same CA, a name but no IP address: https://127.0.0.1/ must not verify with it
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server-noip.key -out server-noip.csr 2>/dev/null
	printf 'subjectAltName=DNS:localhost\n' > san-noip.ext
	openssl x509 -req -in server-noip.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
		-extfile san-noip.ext -out server-noip.pem 2>/dev/null
	)
}

# check NAME EXPECT_EXIT GREP_PATTERN -- fetchtool args: runs it, checks exit and a pattern
# in stdout+stderr; the output is in $FETCH_TMP/out.txt afterwards.
check() {
	name=$1 want=$2 pat=$3
	shift 4
	t0=$(date +%s%N)
	"$FETCHTOOL" "$@" > "$FETCH_TMP/out.txt" 2>&1
	got=$?
	CHECK_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	if [ "$got" = "$want" ] && grep -Eq -- "$pat" "$FETCH_TMP/out.txt"; then
		echo "PASS $name (${CHECK_MS} ms)"
		return 0
	fi
	echo "FAIL $name: exit $got (wanted $want), pattern '$pat'; output:"
	sed 's/^/    /' "$FETCH_TMP/out.txt" | tail -n 20
	FETCH_FAILS=$((FETCH_FAILS + 1))
	return 1
}

same() {	# NAME FILE1 FILE2
	if cmp -s "$2" "$3"; then echo "PASS $1"; else echo "FAIL $1: $2 and $3 differ"; FETCH_FAILS=$((FETCH_FAILS + 1)); fi
}

expect() {	# NAME: shell condition in "$@" after --
	name=$1; shift
	if "$@"; then echo "PASS $name"; else echo "FAIL $name"; FETCH_FAILS=$((FETCH_FAILS + 1)); fi
}
