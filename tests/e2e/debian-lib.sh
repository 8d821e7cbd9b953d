# Shared by the e2e cases that boot the Debian roots of tests/e2e/tools/mk-debian-root.sh
# (90*, 91*), after lib.sh. Their root reports on the console as DEBIAN-* lines.

# debian_result LOG: $res becomes the root's DEBIAN-RESULT line (the case fails without
# one, showing the console's end); it and DEBIAN-ANALYZE (systemd-analyze) are noted.
debian_result() {
	res=$(grep -a 'DEBIAN-RESULT' "$1" | tail -n 1 | tr -d '\r')
	[ -n "$res" ] || { tail -n 40 "$1" | sed 's/^/    | /' >&2; fail "no DEBIAN-RESULT line"; }
	note "$res"
	grep -aq 'DEBIAN-ANALYZE' "$1" && note "$(grep -a 'DEBIAN-ANALYZE' "$1" | tail -n 1 | tr -d '\r')"
	return 0
}

# debian_healthy LOG: what every Debian boot must show: the NIC under its udev name only
# (lo,ens3), the system running with no failed unit after reaching multi-user.target, the
# kernel's "Power down" (or, with DEBIAN_SHUTDOWN=reboot, "Restarting system"), no hung task and
# no panic.
debian_healthy() {
	case $res in *" links=lo,ens3 "*) ;; *) fail "the booted system's links are not lo,ens3: $res" ;; esac
	expect_no_log "$1" 'DEBIAN-LINK eth0'
	case $res in *" state=running "*) ;; *) fail "systemctl is-system-running is not running: $res" ;; esac
	case $res in *" failed=none "*) ;; *) fail "failed units: $res" ;; esac
	case $res in *" multiuser="[0-9]*) ;; *) fail "multi-user.target not reached: $res" ;; esac
	if [ "${DEBIAN_SHUTDOWN:-poweroff}" = reboot ]; then
		expect_log "$1" 'reboot: Restarting system'
		expect_no_log "$1" 'reboot: Power down'
	else
		expect_log "$1" 'reboot: Power down'
	fi
	expect_no_log "$1" 'blocked for more than|Kernel panic'
}

# debian_root FLAVOUR IMAGE [WHAT]: build the cached root (mk-debian-root.sh); the case skips
# when the tools are missing (WHAT names them, default "mmdebstrap") and fails on any other error.
debian_root() {
	bash "$NETINIT_ROOT/tests/e2e/tools/mk-debian-root.sh" "$1" "$2"; _rc=$?
	[ $_rc -eq 77 ] && skip "no ${3:-mmdebstrap}"
	[ $_rc -eq 0 ] || fail "building the Debian root failed"
	return 0
}

# debian_nbd_shutdown LOG ACTION: the shutdown of an NBD root through netinit's
# /run/initramfs/shutdown (init/shutdown.c): systemd pivots into it, netinit unmounts the old
# root and disconnects /dev/nbd0 before the kernel's ACTION (reboot or poweroff); nothing hangs.
debian_nbd_shutdown() {
	expect_log "$1" 'handoff: shutdown: /run/initramfs/shutdown'
	expect_log "$1" 'Returning to initrd'
	expect_log "$1" "netinit: shutdown: $2: unmounting the old root"
	expect_log "$1" 'netinit: shutdown: /oldroot unmounted'
	expect_log "$1" 'netinit: shutdown: /dev/nbd0 disconnected'
	[ "$2" = reboot ] && expect_log "$1" 'netinit: shutdown: rebooting'
	expect_no_log "$1" 'blocked for more than|Kernel panic|netinit: shutdown: .*stay'
}
