FUZZ_TARGETS += bencode
fuzz_bencode_SRCS := tests/fuzz/fuzz_bencode.c fetch/bencode.c fetch/torrent_meta.c fetch/tracker.c fetch/opts.c \
	fetch/progress.c crypto/sha1.c crypto/sha256.c
