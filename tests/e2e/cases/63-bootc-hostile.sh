#!/bin/bash
# Hostile and broken archives are refused with the offending path or digest named:
# a layer entry with "../", one with an absolute path, one through a symlink to /tmp,
# a corrupted layer blob; and a missing bootclabel lists the labels that exist.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
bootc_images
export E2E_STOP_ON='netinit: fatal|NETINIT-RESULT' E2E_TIMEOUT=120
check() { # name cmdline-extra regex
	initrd_with "$W/initrd-$1.img" "$W/img/$1.oci:/root.oci"
	E2E_INITRD="$W/initrd-$1.img" qemu_boot "$W/$1.log" "root=bootc-live:/root.oci $2" || true
	expect_no_log "$W/$1.log" 'NETINIT-RESULT'
	expect_log "$W/$1.log" "netinit: fatal: root: .*$3"
	note "$1: $(grep -a 'netinit: fatal' "$W/$1.log" | head -n 1 | tr -d '\r' | cut -c1-220)"
}
check dotdot "" 'layer entry "etc/\.\./\.\./netinit-escape" leaves the root'
check abs "" 'layer entry "/netinit-escape" leaves the root'
check symlink "" 'passes through the symlink "escape"'
check corrupt "" 'digest mismatch: expected sha256:'
check root "bootclabel=nope" 'no image labelled "nope" in the archive; labels present: latest, other'
