FUZZ_TARGETS += oci_manifest
fuzz_oci_manifest_SRCS := tests/fuzz/fuzz_oci_manifest.c oci/manifest.c oci/tarindex.c oci/ref.c oci/auth.c \
	$(BUILD)/deps/cjson/cJSON.c
