UNIT_TESTS += oci_layer
unit_oci_layer_SRCS := tests/unit/test_oci_layer.c oci/layer.c oci/pathcheck.c oci/manifest.c crypto/sha256.c
unit_oci_layer_LIBS := -larchive -lcjson -lpthread
# also with musl, the libc of the product: its nftw, its 128 KiB default thread stack
UNIT_MUSL_TESTS += oci_layer
unit_oci_layer_MUSL_LIBS := -larchive -lzstd -llzma -lz -lcjson -lpthread
