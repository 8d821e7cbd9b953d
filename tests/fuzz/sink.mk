FUZZ_TARGETS += sink
fuzz_sink_SRCS := tests/fuzz/fuzz_sink.c fetch/sink.c
fuzz_sink_LIBS := -llzma -lzstd -lz
