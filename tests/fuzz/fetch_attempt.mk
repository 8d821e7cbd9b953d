FUZZ_TARGETS += fetch_attempt
fuzz_fetch_attempt_SRCS := tests/fuzz/fuzz_fetch_attempt.c fetch/attempt.c
