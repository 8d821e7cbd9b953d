FUZZ_TARGETS += part
fuzz_part_SRCS := tests/fuzz/fuzz_part.c blockdev/part.c
