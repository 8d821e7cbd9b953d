UNIT_TESTS += torrent
unit_torrent_SRCS := tests/unit/test_torrent.c fetch/bencode.c fetch/torrent_meta.c fetch/peerwire.c fetch/tracker.c \
	fetch/opts.c fetch/progress.c crypto/sha1.c crypto/sha256.c
