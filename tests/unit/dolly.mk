UNIT_TESTS += dolly
unit_dolly_SRCS := tests/unit/test_dolly.c fetch/dollycfg.c crypto/sha256.c fetch/checksum.c
