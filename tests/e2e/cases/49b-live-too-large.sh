#!/bin/bash
# An image bigger than the guest's RAM (-m 256, a 400 MiB file): refused from Content-Length before
# anything is written, with both sizes in the message.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$W/srv"
truncate -s 400M "$W/srv/huge.squashfs"
start_http "$W/srv"
url=http://10.0.2.2:$HTTP_PORT/huge.squashfs
E2E_MEM=256 E2E_STOP_ON="netinit: rebooting now" E2E_TIMEOUT=120 qemu_boot "$W/boot.log" "root=live:$url" $QEMU_USERNET || fail "QEMU did not stop"
expect_log "$W/boot.log" "netinit: fatal: download: $url: image is 400.0 MiB, [0-9.]+ MiB of RAM available"
expect_log "$W/boot.log" 'netinit: hint: give the machine more RAM'
expect_no_log "$W/boot.log" 'netinit: downloading|NETINIT-RESULT|Out of memory|oom'
# (E2E_STOP_ON: the guest kernel, 6.1, once livelocked in virtio_net while rebooting with the
# refused transfer's packets still arriving; what is tested here ends with the fatal line.)
