# Sourced by the OCI benchmarks: mk_big_oci OUT MIB -> OUT/layout (tag latest, 3 layers),
# OUT/big.oci: the e2e test root plus about MIB MiB of real files (shared libraries and
# /usr/share data from the host, so the layers compress like a real OS image).
mk_big_oci() {
	out=$1; mib=$2
	rm -rf "$out"; mkdir -p "$out"
	lay=$out/layout
	umoci init --layout "$lay" && umoci new --image "$lay:latest" || return 1
	umoci unpack --image "$lay:latest" "$out/bundle" >/dev/null || return 1
	r=$out/bundle/rootfs
	make_testroot "$r"
	per=$((mib / 3))
	for part in 1 2 3; do
		[ "$part" = 1 ] || { rm -rf "$out/bundle"; umoci unpack --image "$lay:latest" "$out/bundle" >/dev/null || return 1; }
		mkdir -p "$r/usr/data$part"
		case $part in 1) src=/usr/lib/x86_64-linux-gnu;; 2) src=/usr/share;; 3) src=/usr/lib;; esac
		# copy files until the part holds about $per MiB
		( cd "$src" && find . -type f -size -8M 2>/dev/null ) | awk -v lim=$((per * 1024 * 1024)) -v src="$src" '
			{ cmd = "stat -c %s \"" src "/" $0 "\""; cmd | getline s; close(cmd); tot += s; if (tot > lim) exit; print }' |
			( cd "$src" && cpio -pdm --quiet "$r/usr/data$part" ) 2>/dev/null
		umoci repack --image "$lay:latest" "$out/bundle" >/dev/null || return 1
	done
	rm -rf "$out/bundle"
	tar -C "$lay" -cf "$out/big.oci" . || return 1
}
