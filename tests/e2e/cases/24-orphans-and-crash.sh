#!/bin/bash
# PID 1 reaps orphans, and a crash signal takes the fatal path instead of panicking the kernel.
# The rd.break=pre-mount shell (busybox added to the initramfs), driven over the serial line,
# leaves five orphans behind (each a `sleep` whose parent exited: re-parented to PID 1) and
# counts the zombies 2 s later: none, since netinit reaps them while it waits for the shell.
# It then starts a detached process that sends SIGSEGV to PID 1 three seconds after the shell
# is left, while netinit waits for root=/dev/never (rd.retry=100): the console must show
# "netinit: internal error: SIGSEGV during root" and "rebooting now" (panic=-1), no kernel panic.
. "$(dirname "$0")/../lib.sh"
initrd_with "$W/initrd.img" "$BUSYBOX:/bin/sh" "$BUSYBOX:/bin/busybox"
mkfifo "$W/in"
timeout --foreground -k 5 150 qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 512 -nographic -no-reboot \
	-nodefaults -serial stdio -display none -kernel "$KERNEL" -initrd "$W/initrd.img" \
	-append "console=ttyS0 panic=-1 root=/dev/never rd.retry=100 rd.break=pre-mount" \
	< "$W/in" > "$W/boot.log" 2>&1 &
qpid=$!
exec 3> "$W/in"
waitfor() {	# waitfor REGEX SECONDS
	for _ in $(seq "$2"); do grep -aEq "$1" "$W/boot.log" && return 0; kill -0 $qpid 2>/dev/null || return 1; sleep 1; done
	return 1
}
stop() { exec 3>&-; kill $qpid 2>/dev/null; wait $qpid 2>/dev/null; }
waitfor 'netinit# ' 90 || { stop; fail "no rd.break shell prompt"; }
cat >&3 <<'EOS'
for i in 1 2 3 4 5; do ( busybox sleep 0.3 & ); done; busybox sleep 2
z=0; for s in /proc/[0-9]*/stat; do read -r l < "$s"; case "$l" in *") Z 1 "*) z=$((z+1));; esac; done; echo "NETINIT-ZOMBIES=$z"
busybox setsid busybox sh -c 'busybox sleep 3; busybox kill -SEGV 1' < /dev/null > /dev/null 2>&1 &
exit
EOS
waitfor 'netinit: (rebooting now|system halted)|Kernel panic|Attempted to kill init' 60
sleep 1; stop
expect_log "$W/boot.log" 'NETINIT-ZOMBIES=0'
expect_log "$W/boot.log" 'netinit: waiting up to 100 s for /dev/never'
expect_log "$W/boot.log" 'netinit: internal error: SIGSEGV during root'
expect_log "$W/boot.log" 'netinit: hint: this is a bug in netinit'
expect_log "$W/boot.log" 'netinit: rebooting now \(panic=-1\)'
expect_no_log "$W/boot.log" 'Kernel panic|Attempted to kill init|NETINIT-ZOMBIES=[1-9]'
exit 0
