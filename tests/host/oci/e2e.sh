# Shared by the bootc-live e2e cases (tests/e2e/cases/6*-bootc-*.sh), after lib.sh.
. "$NETINIT_ROOT/tests/host/oci/mkimages.sh"
command -v umoci >/dev/null && command -v skopeo >/dev/null || skip "umoci/skopeo missing (make setup)"
# one initramfs for all the boots of a case, even if build/initramfs.img is rebuilt meanwhile
[ -f "$INITRD" ] || skip "no $INITRD (make initramfs)"
cp "$INITRD" "$W/netinit-initrd.img" && INITRD=$W/netinit-initrd.img

# e2e_registry [BUILD_FN]: Debian's docker-registry for this case (stopped when it exits),
# started once BUILD_FN (bootc_images, bootc_kexec_image; none if empty) built what it pushes.
e2e_registry() {
	. "$NETINIT_ROOT/tests/host/oci/registry.sh"
	command -v docker-registry >/dev/null || skip "docker-registry missing"
	trap stop_registry EXIT
	[ -z "${1:-}" ] || "$1"
	start_registry || fail "docker-registry did not start"
}

# bootc_images: $W/img/{root,zstd,dotdot,symlink,abs,corrupt}.oci from a test root that
# reports what the layers did as one NETINIT-OCI line (then runs $BOOTC_TEST_EXTRA, a shell line).
bootc_images() {
	make_testroot "$W/root"
	cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
st() { busybox stat -c "$1" "$2" 2>/dev/null || echo none; }
wh=$(busybox find / -xdev -name '.wh.*' 2>/dev/null | wc -l)
echo "NETINIT-OCI removed=$(test -e /etc/removed-later && echo present || echo gone) added=$(cat /etc/added) opq=$(ls /opq | tr '\n' ,) keep=$(cat /keep/file) hardlink=$(test "$(st %i /hl/orig)" = "$(st %i /hl/link)" && echo yes || echo no) whiteouts=$wh owned=$(st %u:%g:%a /owned) sym=$(busybox readlink /hl/sym)"
EOS
	printf '%s\n' "${BOOTC_TEST_EXTRA:-}" >> "$W/root/netinit-test.sh"
	chmod 755 "$W/root/netinit-test.sh"
	mk_oci_images "$W/img" "$W/root" >"$W/mkimages.log" 2>&1 || { cat "$W/mkimages.log" >&2; fail "building the test images"; }
}

# The whiteouts, the opaque directory and the special entries, as seen by the booted root.
expect_layers_applied() {
	expect_log "$1" 'NETINIT-OCI removed=gone added=added opq=new, keep=kept hardlink=yes whiteouts=0 owned=1234:5678:4750 sym=/etc/added'
}

# bootc_kexec_image: $W/layout (an OCI layout, image "latest") and $W/srv/root.oci (its
# archive) of a test root carrying the kernel and netinit initramfs under test as
# /usr/lib/modules/<kver>/{vmlinuz,initramfs.img}, for bootc.kexec; sets KV.
bootc_kexec_image() {
	make_testroot "$W/root"
	KV=${KERNEL##*/vmlinuz-}
	mkdir -p "$W/root/usr/lib/modules/$KV"
	cp "$KERNEL" "$W/root/usr/lib/modules/$KV/vmlinuz"
	cp "$INITRD" "$W/root/usr/lib/modules/$KV/initramfs.img"
	umoci init --layout "$W/layout" >/dev/null && umoci new --image "$W/layout:latest" >/dev/null &&
		umoci unpack --image "$W/layout:latest" "$W/bundle" >/dev/null || fail "umoci"
	cp -a "$W/root/." "$W/bundle/rootfs/"
	umoci repack --image "$W/layout:latest" "$W/bundle" >/dev/null || fail "umoci repack"
	mkdir -p "$W/srv"; tar -C "$W/layout" -cf "$W/srv/root.oci" . || fail "tar"
}

# expect_reused LOG: the second kernel's netinit booted the re-packed /root.oci (no download)
expect_reused() {
	expect_log "$1" "netinit: bootc: next initrd /run/netinit/oci/next-initrd.img: .* root.oci .* the image's initramfs"
	expect_log "$1" "netinit: bootc: kexec into /run/netinit/oci/root/usr/lib/modules/$KV/vmlinuz"
	expect_log "$1" 'kexec_core: Starting new kernel'
	[ "$(grep -ac 'Run /init as init process' "$1")" -ge 2 ] || fail "the kernel did not start twice"
	expect_log "$1" 'netinit: bootc: /root.oci: image "[^"]*" is sha256:'
	expect_result "$1" rootfs=tmpfs root_rw=no
	expect_log "$1" 'NETINIT-RESULT .*cmdline=.* bootc\.kexec\.reuse-image=0 root=bootc-live:/root\.oci'
	expect_no_log "$1" 'NETINIT-RESULT .*cmdline=.*bootc\.kexec( |$|=|\.reuse-image=1)'
	[ "$(result_line "$1" | grep -o ' root=' | wc -l)" = 1 ] || fail "more than one root= in the second kernel's cmdline"
}
