FUZZ_TARGETS += ipconf
fuzz_ipconf_SRCS := tests/fuzz/fuzz_ipconf.c net/ipconf.c net/ifnames.c
