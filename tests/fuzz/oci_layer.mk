FUZZ_TARGETS += oci_layer
fuzz_oci_layer_SRCS := tests/fuzz/fuzz_oci_layer.c oci/layer.c oci/pathcheck.c oci/manifest.c crypto/sha256.c fs/mkerofs.c
fuzz_oci_layer_LIBS := -larchive -lcjson -lpthread
