#!/bin/bash
# A registry that answers 404 (unknown tag), 500 (after the retries) or 401 without a
# challenge: the boot stops with the registry's answer in the fatal line.
. "$(dirname "$0")/../lib.sh"
. "$NETINIT_ROOT/tests/host/oci/e2e.sh"
e2e_registry
export E2E_STOP_ON='netinit: fatal|NETINIT-RESULT' E2E_TIMEOUT=120
qemu_boot "$W/404.log" "root=bootc-live:docker://10.0.2.2:$REG_PORT/netinit/none:v1 bootc.registry.unsecure" $QEMU_USERNET || true
expect_log "$W/404.log" 'netinit: fatal: root: .*not found \(404\) \((NAME|MANIFEST)_UNKNOWN'
for mode in fail500 deny401; do
	start_regproxy $mode || fail "regproxy did not start"
	qemu_boot "$W/$mode.log" "root=bootc-live:docker://10.0.2.2:$PROXY_PORT/netinit/none:v1 bootc.registry.unsecure rd.retry=5" \
		$QEMU_USERNET || true
	kill $PROXY_PID; wait $PROXY_PID 2>/dev/null
done
expect_log "$W/fail500.log" 'netinit: fatal: root: .*answered 500 \(UNKNOWN: test failure\) after [0-9]+ attempts'
expect_log "$W/deny401.log" 'netinit: fatal: root: .*answered 401 without a usable WWW-Authenticate challenge'
for f in 404 fail500 deny401; do note "$f: $(grep -a 'netinit: fatal' "$W/$f.log" | head -n1 | tr -d '\r' | cut -c1-200)"; done
