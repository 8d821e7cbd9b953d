#!/bin/bash
# rd.driver.blacklist=virtio_net keeps the NIC driver out (coldplug skips it), so a network root
# finds no interface and takes the fatal path; rd.emergency=poweroff then powers the machine off
# ("Power down") instead of the reboot panic=-1 asks for.
. "$(dirname "$0")/../lib.sh"
url=http://10.0.2.2:9/never/fetched.squashfs
E2E_STOP_ON="reboot: Power down|netinit: rebooting now" E2E_TIMEOUT=180 qemu_boot "$W/boot.log" \
	"root=live:$url rd.driver.blacklist=e1000,virtio_net rd.net.timeout.iflink=5 rd.emergency=poweroff rd.debug" \
	$QEMU_USERNET || fail "QEMU did not stop"
expect_log "$W/boot.log" 'netinit: modules: virtio_net: blacklisted, not loaded for virtio:'
expect_log "$W/boot.log" 'netinit: fatal: network: .*no usable network interface appeared in 5 s'
expect_log "$W/boot.log" 'netinit: powering off \(rd.emergency=poweroff\)'
expect_log "$W/boot.log" 'reboot: Power down'
expect_no_log "$W/boot.log" 'loaded virtio_net|netinit: rebooting|reboot: Restarting|Kernel panic|NETINIT-RESULT'
