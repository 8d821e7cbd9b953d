# A real registry for tests (sourced after lib.sh or a host test preamble; needs $W):
#   start_registry            Debian's docker-registry on 127.0.0.1:$REG_PORT (storage in $W)
#   start_regproxy MODE       tests/host/oci/regproxy.py in front of it on $PROXY_PORT:
#                             token (Bearer flow, user netinit / password s3cret), or
#                             fail500 / deny401 (every /v2/ request answered so)
#   push_image LAYOUT:TAG NAME:TAG   skopeo copy into the registry; sets PUSHED_DIGEST
#   restart_registry          start the registry stopped earlier again (same port and storage)
#   start_flipper PORT        regproxy.py flip in front of PORT on $FLIP_PORT (it changes a byte
#                             of the biggest blob)
#   start_mirror              a second docker-registry on 127.0.0.1:$MIRROR_PORT in pull-through
#                             mode (proxy: remoteurl) for the one on $REG_PORT (storage in $W)
# an unused TCP port on 127.0.0.1; and wait (10 s at most) until a registry answers /v2/ there
reg_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
reg_wait_v2() {
	for _ in $(seq 100); do
		curl -fsS "http://127.0.0.1:$1/v2/" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

start_registry() {
	REG_PORT=$(reg_free_port)
	mkdir -p "$W/registry"
	cat > "$W/registry/config.yml" <<EOC
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $W/registry/data
http:
  addr: 127.0.0.1:$REG_PORT
EOC
	docker-registry serve "$W/registry/config.yml" > "$W/registry/log" 2>&1 &
	REG_PID=$!
	reg_wait_v2 "$REG_PORT" && return 0
	cat "$W/registry/log" >&2
	return 1
}

restart_registry() {
	docker-registry serve "$W/registry/config.yml" >> "$W/registry/log" 2>&1 &
	REG_PID=$!
	reg_wait_v2 "$REG_PORT"
}

start_flipper() {
	FLIP_PORT=$(reg_free_port)
	python3 "$NETINIT_ROOT/tests/host/oci/regproxy.py" "$FLIP_PORT" "$1" flip > "$W/regproxy-flip.log" 2>&1 &
	FLIP_PID=$!
	reg_wait_v2 "$FLIP_PORT"
}

start_mirror() {
	MIRROR_PORT=$(reg_free_port)
	mkdir -p "$W/mirror"
	cat > "$W/mirror/config.yml" <<EOC
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $W/mirror/data
http:
  addr: 127.0.0.1:$MIRROR_PORT
proxy:
  remoteurl: http://127.0.0.1:$REG_PORT
EOC
	docker-registry serve "$W/mirror/config.yml" > "$W/mirror/log" 2>&1 &
	MIRROR_PID=$!
	reg_wait_v2 "$MIRROR_PORT" && return 0
	cat "$W/mirror/log" >&2
	return 1
}

start_regproxy() {
	PROXY_PORT=$(reg_free_port)
	python3 "$NETINIT_ROOT/tests/host/oci/regproxy.py" "$PROXY_PORT" "$REG_PORT" "$1" > "$W/regproxy-$1.log" 2>&1 &
	PROXY_PID=$!
	for _ in $(seq 100); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$PROXY_PORT),1)" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

push_image() {
	skopeo copy -q --dest-tls-verify=false "oci:$1" "docker://127.0.0.1:$REG_PORT/$2" || return 1
	PUSHED_DIGEST=sha256:$(skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$REG_PORT/$2" | sha256sum | cut -d' ' -f1)
}

stop_registry() {
	[ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null
	[ -n "${REG_PID:-}" ] && kill "$REG_PID" 2>/dev/null
	[ -n "${MIRROR_PID:-}" ] && kill "$MIRROR_PID" 2>/dev/null
	[ -n "${FLIP_PID:-}" ] && kill "$FLIP_PID" 2>/dev/null
	wait 2>/dev/null
}
