# Helpers for e2e cases: source it from tests/e2e/cases/*.sh (see docs/HACKING.md).
# Each case boots Debian's kernel with our initramfs in QEMU (TCG) and checks the serial log.
set -u
NETINIT_ROOT=${NETINIT_ROOT:-$(cd "$(dirname "${BASH_SOURCE:-$0}")/../.." && pwd)}
NETINIT_BUILD=${NETINIT_BUILD:-$NETINIT_ROOT/build}
case $NETINIT_BUILD in /*) ;; *) NETINIT_BUILD=$NETINIT_ROOT/$NETINIT_BUILD ;; esac
KVER=${KVER:-$(ls -1 /lib/modules | sort -V | tail -n 1)}
KERNEL=${KERNEL:-/boot/vmlinuz-$KVER}
INITRD=${INITRD:-$NETINIT_BUILD/initramfs.img}
CASE=${CASE:-$(basename "$0" .sh)}
W=${W:-$NETINIT_BUILD/e2e/$CASE}
BUSYBOX=${BUSYBOX:-/bin/busybox}
rm -rf "$W"; mkdir -p "$W"

fail() { echo "FAIL: $CASE: $*" >&2; exit 1; }
skip() { echo "SKIP: $CASE: $*" >&2; exit 77; }
note() { echo "  $CASE: $*" >&2; }

# make_testroot DIR: a busybox root whose /sbin/init reports one NETINIT-RESULT line and powers off.
make_testroot() {
	d=$1
	mkdir -p "$d/bin" "$d/sbin" "$d/etc" "$d/proc" "$d/sys" "$d/dev" "$d/run" "$d/tmp" "$d/var/tmp" "$d/root"
	cp "$BUSYBOX" "$d/bin/busybox"
	for a in sh mount umount cat echo grep sed awk ip ls dd sync sleep poweroff mkdir rm head tr cut wc md5sum uname stat df; do
		ln -sf busybox "$d/bin/$a"
	done
	cat > "$d/sbin/init" <<'EOS'
#!/bin/sh
export PATH=/bin:/sbin
mountpoint() { awk -v m="$1" '$2==m {f=1} END {exit !f}' /proc/mounts; }
[ -e /proc/mounts ] || mount -t proc proc /proc
rootfs=$(awk '$2=="/" {t=$3} END {print t}' /proc/mounts)
w() { if ( : > "$1/.netinit-wtest" ) 2>/dev/null; then rm -f "$1/.netinit-wtest"; echo yes; else echo no; fi; }
ipa=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4; exit}')
lower=no; mountpoint /run/rootfsbase && lower=yes
marker=none; [ -f /netinit-marker ] && marker=$(head -c 64 /netinit-marker | tr -d '\n ')
up=$(cut -d' ' -f1 /proc/uptime)
echo "NETINIT-RESULT uptime=$up rootfs=$rootfs root_rw=$(w /) var_rw=$(w /var) etc_rw=$(w /etc) ip=${ipa:-none} lower=$lower marker=$marker pid=$$ cmdline=$(cat /proc/cmdline)"
( echo seen > /netinit-marker ) 2>/dev/null
[ -x /netinit-test.sh ] && /netinit-test.sh
sync
echo NETINIT-POWEROFF
poweroff -f
EOS
	chmod 755 "$d/sbin/init"
}

mk_squashfs() { mksquashfs "$1" "$2" -noappend -quiet -all-root >/dev/null; }
# mk_ext4 DIR OUT SIZE_MB [LABEL]
mk_ext4() {
	rm -f "$2"; truncate -s "${3}M" "$2"
	mkfs.ext4 -q -F -E root_owner=0:0 ${4:+-L "$4"} -d "$1" "$2" >/dev/null
}

# initrd_with OUT SRC:/DEST ...: $INITRD followed by a cpio holding those files.
initrd_with() {
	out=$1; shift
	st=$W/.initrd-extra; rm -rf "$st"; mkdir -p "$st"
	for pair in "$@"; do
		src=${pair%%:*}; dst=${pair#*:}
		mkdir -p "$st$(dirname "$dst")"; cp "$src" "$st$dst"
	done
	( cd "$st" && find . -mindepth 1 | sed 's,^\./,,' | cpio -o -H newc --quiet -R 0:0 ) | gzip -1 > "$W/.extra.cpio.gz"
	cat "$INITRD" "$W/.extra.cpio.gz" > "$out"
}

# qemu_boot LOG "APPEND" [qemu args...]
# E2E_STOP_ON=REGEX ends QEMU once the log matches: by default netinit's reboot after a fatal
# error and a halt. (Debian's 6.1 guest kernel has been seen to soft-lock in virtio_net while
# rebooting under TCG; what the test checks is all on the console before that point.)
# no_timer_check (last on the line): the kernel's IO-APIC timer check counts timer ticks in
# a busy loop, and under TCG on a loaded host (two guests per two cores) it can miss them and
# panic ("IO-APIC + timer doesn't work"); virtual machines skip that check the same way.
qemu_boot() {
	log=$1; app=$2; shift 2
	local E2E_STOP_ON=${E2E_STOP_ON:-netinit: rebooting now|reboot: System halted}
	timeout --foreground -k 5 "${E2E_TIMEOUT:-240}" qemu-system-x86_64 -accel tcg -cpu max -smp 1 \
		-m "${E2E_MEM:-512}" -nographic -no-reboot -nodefaults -serial stdio -display none \
		-kernel "$KERNEL" -initrd "${E2E_INITRD:-$INITRD}" \
		-append "console=ttyS0 panic=-1 $app no_timer_check" "$@" < /dev/null > "$log" 2>&1 &
	qpid=$!
	if [ -n "$E2E_STOP_ON" ]; then
		while kill -0 $qpid 2>/dev/null; do
			if [ -f "$log" ] && grep -aEq "$E2E_STOP_ON" "$log"; then sleep 1; kill $qpid 2>/dev/null; wait $qpid; return 0; fi
			sleep 1
		done
	fi
	wait $qpid
	rc=$?
	[ $rc -eq 124 ] && note "QEMU timed out after ${E2E_TIMEOUT:-240} s"
	return $rc
}

result_line() { grep -a 'NETINIT-RESULT' "$1" | tail -n 1 | tr -d '\r'; }

# expect_result LOG key=REGEX ...   (anchored per field)
expect_result() {
	log=$1; shift
	full=$(result_line "$log")
	line=${full%% cmdline=*}
	[ -n "$line" ] || { tail -n 30 "$log" | sed 's/^/    | /' >&2; fail "no NETINIT-RESULT line in $log"; }
	for kv in "$@"; do
		k=${kv%%=*}; re=${kv#*=}
		v=$(printf '%s\n' "$line" | sed -n "s/.* $k=\\([^ ]*\\).*/\\1/p")
		printf '%s\n' "$v" | grep -Eq "^($re)\$" || fail "$k=$v, expected $re (line: $full)"
	done
	note "$full"
}
expect_log() {
	grep -aEq "$2" "$1" || { tail -n 30 "$1" | sed 's/^/    | /' >&2; fail "log lacks /$2/"; }
}
expect_no_log() {
	! grep -aEq "$2" "$1" || { grep -aE "$2" "$1" | head -n 5 | sed 's/^/    | /' >&2; fail "log has /$2/"; }
}

# free_port: an unused TCP port on 127.0.0.1
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bridge_ns NS TAPS: network namespace NS (lo up) with a bridge br0 at 10.9.0.1/24 and TAPS
# tap devices tap0.. on it for guests (qemu -netdev tap,ifname=tapN inside NS). Background
# daemons go in PIDS; on exit they are stopped and the namespace is deleted.
bridge_ns() {
	NS=$1
	ip netns add "$NS" || skip "cannot create a network namespace"
	PIDS=""
	trap bridge_ns_cleanup EXIT
	ip -n "$NS" link set lo up
	ip -n "$NS" link add br0 type bridge
	ip -n "$NS" addr add 10.9.0.1/24 dev br0
	ip -n "$NS" link set br0 up
	for i in $(seq 0 $(($2 - 1))); do
		ip -n "$NS" tuntap add dev tap$i mode tap || fail "tuntap"
		ip -n "$NS" link set tap$i master br0
		ip -n "$NS" link set tap$i up
	done
}
bridge_ns_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
}

# nginx_conf HTTP_BODY: $W/nginx/nginx.conf with what every test's nginx shares (in the
# foreground, one worker, pid, logs and temporary files under $W/nginx) around HTTP_BODY:
# the http block's own lines (access_log and log formats, types, server blocks).
nginx_conf() {
	mkdir -p "$W/nginx/logs" "$W/nginx/tmp"
	cat > "$W/nginx/nginx.conf" <<EOC
daemon off;
worker_processes 1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/logs/error.log;
events { worker_connections 64; }
http {
	client_body_temp_path $W/nginx/tmp; proxy_temp_path $W/nginx/tmp;
	fastcgi_temp_path $W/nginx/tmp; uwsgi_temp_path $W/nginx/tmp; scgi_temp_path $W/nginx/tmp;
$1
}
EOC
}

# nginx_bg [NETNS]: that nginx in the background (inside NETNS when given); NGINX_PID is its pid.
nginx_bg() {
	if [ -n "${1:-}" ]; then
		ip netns exec "$1" nginx -c "$W/nginx/nginx.conf" -p "$W/nginx" -e "$W/nginx/logs/error.log" &
	else
		nginx -c "$W/nginx/nginx.conf" -p "$W/nginx" -e "$W/nginx/logs/error.log" &
	fi
	NGINX_PID=$!
}

# start_http DIR [tls]: nginx on 127.0.0.1 serving DIR (Range support included); sets HTTP_PORT
# (and, with tls, HTTPS_PORT plus a CA in $W/tls/ca.crt that signed 10.0.2.2's certificate).
# The guest reaches it as http://10.0.2.2:$HTTP_PORT/ through QEMU's user network.
# E2E_TLS_PROTOCOLS="TLSv1.3" limits what the https server speaks (nginx's ssl_protocols);
# it logs each request as '<protocol> <cipher> "<request>"' to $W/nginx/logs/tls.log too.
start_http() {
	dir=$1; tls=${2:-}
	HTTP_PORT=$(free_port)
	tlsconf=""
	if [ -n "$tls" ]; then
		HTTPS_PORT=$(free_port)
		mk_test_ca "$W/tls"
		tlsconf="log_format tls '\$ssl_protocol \$ssl_cipher \"\$request\"';
	server { listen 127.0.0.1:$HTTPS_PORT ssl; root $dir;
			${E2E_TLS_PROTOCOLS:+ssl_protocols $E2E_TLS_PROTOCOLS;}
			access_log $W/nginx/logs/access.log; access_log $W/nginx/logs/tls.log tls;
			ssl_certificate $W/tls/server.crt; ssl_certificate_key $W/tls/server.key; }"
	fi
	nginx_conf "	access_log $W/nginx/logs/access.log;
	sendfile on;
	types { application/octet-stream img iso squashfs; }
	server { listen 127.0.0.1:$HTTP_PORT; root $dir; }
	$tlsconf"
	nginx_bg
	trap 'kill $NGINX_PID 2>/dev/null; wait $NGINX_PID 2>/dev/null' EXIT
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$HTTP_PORT),1)" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "nginx did not start (see $W/nginx/logs/error.log)"
}

# mk_test_ca DIR: a CA and a server certificate for 10.0.2.2 (the host as the guest sees it).
mk_test_ca() {
	d=$1; mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=netinit test CA" \
		-keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=10.0.2.2" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:10.0.2.2\nbasicConstraints=CA:FALSE\n' > "$d/ext.cnf"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
		-extfile "$d/ext.cnf" -out "$d/server.crt" 2>/dev/null
}

# the user-mode network: the guest is 10.0.2.15, the host's 127.0.0.1 is 10.0.2.2
QEMU_USERNET="-netdev user,id=n0 -device virtio-net-pci,netdev=n0"

# ---- live-boot servers (tests/e2e/cases/4*.sh) ------------------------------------------
# Every daemon started below is registered with e2e_bg and killed (with its children: vsftpd's
# session processes ignore SIGTERM) by e2e_cleanup, which also stops start_http's nginx.
E2E_PIDS=""
e2e_kill_tree() {
	for k in $(ps -o pid= --ppid "$1" 2>/dev/null); do e2e_kill_tree "$k"; done
	kill -9 "$1" 2>/dev/null || true
}
e2e_cleanup() {
	for p in $E2E_PIDS ${NGINX_PID:-}; do e2e_kill_tree "$p"; done
	for p in $E2E_PIDS ${NGINX_PID:-}; do wait "$p" 2>/dev/null || true; done
}
e2e_bg() { E2E_PIDS="$E2E_PIDS $1"; trap e2e_cleanup EXIT; }

# wait_port PORT [tcp|udp]: until something listens on 127.0.0.1:PORT (5 s at most)
wait_port() {
	for _ in $(seq 50); do
		if [ "${2:-tcp}" = udp ]; then ss -Hlun "sport = :$1" | grep -q . && return 0
		else ss -Hltn "sport = :$1" | grep -q . && return 0; fi
		sleep 0.1
	done
	return 1
}

# start_ftp DIR: anonymous read-only vsftpd in the foreground on 127.0.0.1; sets FTP_PORT.
# The guest uses ftp://10.0.2.2:$FTP_PORT/<file>; passive data ports follow FTP_PORT.
start_ftp() {
	FTP_PORT=$(free_port)
	mkdir -p "$W/vsftpd/empty"
	chmod 755 "$1"
	cat > "$W/vsftpd/vsftpd.conf" <<EOC
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$FTP_PORT
background=NO
anonymous_enable=YES
local_enable=NO
write_enable=NO
no_anon_password=YES
anon_root=$1
ftp_username=ftp
pasv_enable=YES
pasv_address=10.0.2.2
pasv_min_port=$((FTP_PORT + 1))
pasv_max_port=$((FTP_PORT + 20))
secure_chroot_dir=$W/vsftpd/empty
seccomp_sandbox=NO
xferlog_enable=YES
vsftpd_log_file=$W/vsftpd/xfer.log
use_localtime=NO
EOC
	vsftpd "$W/vsftpd/vsftpd.conf" > "$W/vsftpd/stderr" 2>&1 &
	e2e_bg $!
	wait_port "$FTP_PORT" || fail "vsftpd did not start (see $W/vsftpd/stderr)"
}

# start_cutproxy UPSTREAM_PORT CUT_BYTES: tests/tools/cutproxy.py in front of a server on
# 127.0.0.1; the first connection is closed after CUT_BYTES bytes of the reply. Sets CUT_PORT;
# every request line and Range header goes to $W/cutproxy.log.
start_cutproxy() {
	CUT_PORT=$(free_port)
	/usr/bin/python3 "$NETINIT_ROOT/tests/tools/cutproxy.py" "$CUT_PORT" "$1" "$2" 1 "$W/cutproxy.log" \
		2> "$W/cutproxy.err" &
	e2e_bg $!
	wait_port "$CUT_PORT" || fail "cutproxy did not start (see $W/cutproxy.err)"
}

# QEMU's user network with its own TFTP server for DIR: tftp://10.0.2.2/<file>
qemu_usernet_tftp() { echo "-netdev user,id=n0,tftp=$1 -device virtio-net-pci,netdev=n0"; }

# initrd_with_cas OUT "CA.crt ..." [SRC:/DEST ...]: $INITRD whose /etc/ssl/certs/ca-certificates.crt
# is Debian's bundle followed by the given CAs (a second cpio replaces the file), plus any files.
initrd_with_cas() {
	out=$1; cas=$2; shift 2
	cat /etc/ssl/certs/ca-certificates.crt $cas > "$W/ca-bundle.crt"
	initrd_with "$out" "$W/ca-bundle.crt:/etc/ssl/certs/ca-certificates.crt" "$@"
}

# mk_iso DIR OUT LABEL: an ISO 9660 image (Rock Ridge) of DIR
mk_iso() { xorriso -as mkisofs -quiet -R -V "$3" -o "$2" "$1" >/dev/null 2>&1 || fail "xorriso failed for $2"; }

# boot_time LOG: guest uptime when the new root's init ran (from the NETINIT-RESULT line)
boot_time() { result_line "$1" | sed -n 's/.*uptime=\([0-9.]*\).*/\1/p'; }

# tls_reissue NAME [SAN]: after start_http DIR tls, give nginx a new server certificate from the
# same test CA for NAME, with subjectAltName SAN (default DNS:NAME,IP:10.0.2.2), and wait until
# nginx serves it. The guest resolves NAME through an /etc/hosts added with initrd_with
# ("10.0.2.2 NAME"); https://10.0.2.2/ verifies only while the SAN names IP:10.0.2.2.
tls_reissue() {
	d=$W/tls
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$d/server.key.new" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "${2:-DNS:$1,IP:10.0.2.2}" > "$d/ext.cnf"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
		-extfile "$d/ext.cnf" -out "$d/server.crt.new" 2>/dev/null || fail "cannot issue a certificate for $1"
	mv "$d/server.key.new" "$d/server.key"; mv "$d/server.crt.new" "$d/server.crt"
	kill -HUP "$NGINX_PID"
	for _ in $(seq 50); do
		echo | openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername "$1" 2>/dev/null |
			grep -q "subject=CN = $1" && return 0
		sleep 0.1
	done
	fail "nginx did not pick up the certificate for $1"
}
# TLS_NAME: the host name https cases use for 10.0.2.2
TLS_NAME=boot.netinit.test

# mk_live_iso LAYOUT ROOTDIR OUT: a live ISO of ROOTDIR in one of the layouts netinit opens:
#   kiwi     /LiveOS/squashfs.img, a squashfs holding LiveOS/rootfs.img (ext4 of the root); label CDROM
#   dracut   /LiveOS/squashfs.img, a squashfs of the root itself; label netinit-live
#   imagecustomizer  /liveos/rootfs.img, a squashfs of the root (rd.live.dir=liveos
#            rd.live.squashimg=rootfs.img); label CDROM
mk_live_iso() {
	st=$W/.iso-$1; rm -rf "$st"; mkdir -p "$st/iso"
	case $1 in
	kiwi)
		mkdir -p "$st/sq/LiveOS" "$st/iso/LiveOS"
		mk_ext4 "$2" "$st/sq/LiveOS/rootfs.img" 16
		mk_squashfs "$st/sq" "$st/iso/LiveOS/squashfs.img"
		mk_iso "$st/iso" "$3" CDROM ;;
	dracut)
		mkdir -p "$st/iso/LiveOS"
		mk_squashfs "$2" "$st/iso/LiveOS/squashfs.img"
		mk_iso "$st/iso" "$3" netinit-live ;;
	imagecustomizer)
		mkdir -p "$st/iso/liveos"
		mk_squashfs "$2" "$st/iso/liveos/rootfs.img"
		mk_iso "$st/iso" "$3" CDROM ;;
	*) fail "mk_live_iso: unknown layout $1" ;;
	esac
	rm -rf "$st"
}

# log_ts LOG REGEX: the kernel timestamp (seconds) of the first log line matching REGEX
log_ts() { grep -aE "$2" "$1" | head -n 1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'; }
# add_filler DIR MIB: an incompressible file in a test root, to make its image MIB bigger
add_filler() { head -c $(($2 * 1024 * 1024)) /dev/urandom > "$1/filler.bin"; }

# mkfs_list FS OUT: the gen_init_cpio lines `make initramfs MKFS=<fs>` adds (tools/mkfs-list.sh:
# mkfs.<fs>, its shared libraries and the loader); skips the case when mkfs.<fs> is not installed.
mkfs_list() {
	command -v "mkfs.$1" >/dev/null || skip "mkfs.$1 not installed"
	sh "$NETINIT_ROOT/tools/mkfs-list.sh" "$1" > "$2" || fail "tools/mkfs-list.sh $1"
}
