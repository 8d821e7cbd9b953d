FUZZ_TARGETS += oci_layer
fuzz_oci_layer_SRCS := tests/fuzz/fuzz_oci_layer.c oci/layer.c oci/pathcheck.c oci/manifest.c fetch/sha256.c overlay/mkerofs.c
fuzz_oci_layer_LIBS := -larchive -lcjson -lpthread
