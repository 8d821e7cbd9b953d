UNIT_TESTS += sha256_fetch
unit_sha256_fetch_SRCS := tests/unit/test_sha256_fetch.c crypto/sha256.c fetch/hashq.c
unit_sha256_fetch_LIBS := -lpthread
