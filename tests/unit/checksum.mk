UNIT_TESTS += checksum
unit_checksum_SRCS := tests/unit/test_checksum.c fetch/checksum.c
