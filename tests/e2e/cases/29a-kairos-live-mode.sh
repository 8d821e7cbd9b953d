#!/bin/bash
# Kairos live mode, netinit's side (docs/booted-system.md, "Kairos live mode"). Debian has no
# Kairos image and none is booted here: this proves what netinit does for one, not that a real
# Kairos image installs. The root is a busybox root marked as a Kairos image (/etc/kairos-release)
# whose /usr/bin/kairos-agent is a stand-in script that records how it was called; booted with
# Kairos's own iPXE line (rd.neednet=1 ip=dhcp rd.cos.disable root=live:<url> netboot install-mode
# config_url=<url>). Checked: netinit writes /run/cos/live_mode and /run/immucore before the
# stages; runs the image's tool as `kairos-agent run-stage rootfs`, then `run-stage initramfs`,
# chrooted into the new root (it sees the image's own files, /proc/cmdline, the network: it
# fetches config_url, and /run/cos/live_mode), a file the initramfs stage writes into /etc is
# there in the booted system, the stage's exit 2 is one warning line with its last output line
# and the boot goes on, no bind mount is left behind, and the tool's output is in
# /run/immucore/netinit-stages.log. Before this change none of it happens (no /run/cos, no stage
# run: KAIROS-BOOT live_mode=none, no KAIROS-STAGE lines): the case fails.
. "$(dirname "$0")/../lib.sh"

make_testroot "$W/root"
ln -sf busybox "$W/root/bin/wget"
mkdir -p "$W/root/usr/bin"
printf 'KAIROS_NAME="kairos-netinit-test"\nKAIROS_VERSION="v0.0.0-test"\n' > "$W/root/etc/kairos-release"
echo image-own-file > "$W/root/etc/image-marker"
cat > "$W/root/usr/bin/kairos-agent" <<'EOS'
#!/bin/sh
# Stand-in for the image's kairos-agent (e2e 29a): one line per call, then what a stage does.
cfg=$(sed -n 's/.*config_url=\([^ ]*\).*/\1/p' /proc/cmdline)
got=$(wget -q -O - "$cfg" 2>/dev/null | head -n 1 | tr ' ' _)
echo "KAIROS-STAGE args=$*|live_mode=$(cat /run/cos/live_mode 2>/dev/null || echo none)|image=$(cat /etc/image-marker 2>/dev/null || echo none)|config=${got:-none}|cwd=$(pwd)" >> /run/netinit-stand-in.txt
echo "stand-in: $2 stage ran"
if [ "$2" = initramfs ]; then
	echo installer-enabled > /etc/kairos-installer.enabled
	echo "initramfs stage: 1 error found" >&2
	exit 2
fi
EOS
chmod 755 "$W/root/usr/bin/kairos-agent"
cat > "$W/root/netinit-test.sh" <<'EOS'
#!/bin/sh
binds=$(awk '$2 ~ "^/sysroot" {n++} END {print n+0}' /proc/mounts)
echo "KAIROS-BOOT live_mode=$(cat /run/cos/live_mode 2>/dev/null || echo none) cos=$(ls /run/cos 2>/dev/null | tr '\n' ,) immucore=$(ls /run/immucore 2>/dev/null | tr '\n' ,) installer=$(cat /etc/kairos-installer.enabled 2>/dev/null || echo none) proc_mounts=$(grep -c ' /proc proc ' /proc/mounts) sysroot_mounts=$binds"
cat /run/netinit-stand-in.txt 2>/dev/null
grep -c . /run/immucore/netinit-stages.log 2>/dev/null | sed 's/^/KAIROS-LOG lines=/'
EOS
chmod 755 "$W/root/netinit-test.sh"
mkdir -p "$W/srv"
mk_squashfs "$W/root" "$W/srv/kairos.squashfs"
printf '#cloud-config\ninstall:\n  device: auto\n' > "$W/srv/config.yaml"
start_http "$W/srv"
url=http://10.0.2.2:$HTTP_PORT
qemu_boot "$W/boot.log" "rd.neednet=1 ip=dhcp rd.cos.disable root=live:$url/kairos.squashfs netboot install-mode config_url=$url/config.yaml" \
	$QEMU_USERNET || fail "boot did not finish"
expect_log "$W/boot.log" 'netinit: kairos: /etc/kairos-release: Kairos live mode'
expect_log "$W/boot.log" 'netinit: kairos: boot state live_mode: /run/cos/live_mode written'
expect_log "$W/boot.log" 'netinit: kairos: rootfs stage: /usr/bin/kairos-agent run-stage rootfs: exit 0 in [0-9.]+ s \(output in /run/immucore/netinit-stages\.log\)'
expect_log "$W/boot.log" 'netinit: kairos: initramfs stage: /usr/bin/kairos-agent run-stage initramfs: exit 2: initramfs stage: 1 error found \([0-9.]+ s; output in /run/immucore/netinit-stages\.log\); the boot goes on'
expect_result "$W/boot.log" rootfs=overlay
expect_log "$W/boot.log" 'KAIROS-BOOT live_mode=1 cos=live_mode, immucore=netinit-stages\.log, installer=installer-enabled proc_mounts=1 sysroot_mounts=0'
# the stages in immucore's order, each seeing the sentinel, the image, the network (config_url), /
expect_log "$W/boot.log" 'KAIROS-STAGE args=run-stage rootfs\|live_mode=1\|image=image-own-file\|config=#cloud-config\|cwd=/'
expect_log "$W/boot.log" 'KAIROS-STAGE args=run-stage initramfs\|live_mode=1\|image=image-own-file\|config=#cloud-config\|cwd=/'
[ "$(grep -a 'KAIROS-STAGE' "$W/boot.log" | head -n 1 | grep -c 'rootfs')" = 1 ] || fail "the rootfs stage did not run first"
expect_log "$W/boot.log" 'KAIROS-LOG lines=[3-9]'
