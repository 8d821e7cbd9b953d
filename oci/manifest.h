/* manifest: parse the JSON of an OCI image index / Docker manifest list and of an
 * OCI / Docker image manifest into descriptors, and pick one descriptor of an index
 * by its org.opencontainers.image.ref.name (bootclabel) or by platform (linux and
 * the running architecture). Pure: bytes in, structs out; hostile JSON is refused. */
#ifndef NETINIT_OCI_MANIFEST_H
#define NETINIT_OCI_MANIFEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OCI_MT_INDEX      "application/vnd.oci.image.index.v1+json"
#define OCI_MT_MANIFEST   "application/vnd.oci.image.manifest.v1+json"
#define OCI_MT_CONFIG     "application/vnd.oci.image.config.v1+json"
#define OCI_MT_LAYER      "application/vnd.oci.image.layer.v1.tar"
#define OCI_MT_LAYER_GZ   "application/vnd.oci.image.layer.v1.tar+gzip"
#define OCI_MT_LAYER_ZST  "application/vnd.oci.image.layer.v1.tar+zstd"
#define DOCKER_MT_LIST    "application/vnd.docker.distribution.manifest.list.v2+json"
#define DOCKER_MT_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_MT_LAYER_GZ "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define OCI_REF_NAME      "org.opencontainers.image.ref.name"

#define OCI_JSON_MAX      (4u << 20) /* largest index/manifest/config we read */
#define OCI_MAX_DESCS     1024       /* descriptors in one index or layers in one manifest */
#define OCI_DIGEST_HEX    64         /* sha256 in hex */

struct oci_desc {
	char media_type[128];
	char digest[8 + OCI_DIGEST_HEX];  /* "sha256:<64 hex>" */
	uint8_t sha256[32];                /* the same, binary */
	uint64_t size;                     /* bytes of the blob */
	char ref_name[128];                /* annotation ref.name, "" if none */
	char os[32], arch[32], variant[32]; /* platform, "" if none */
};

struct oci_index {
	struct oci_desc *d;
	size_t n;
};

struct oci_manifest {
	struct oci_desc config;
	struct oci_desc *layers;
	size_t nlayers;
};

enum oci_doc_kind { OCI_DOC_INDEX, OCI_DOC_MANIFEST };

/* Index or manifest? By media type (Content-Type or the descriptor's), else by content. */
int oci_doc_kind(const char *media_type, const char *buf, size_t len, enum oci_doc_kind *kind,
		 char *err, size_t errlen);

/* "sha256:<hex>" -> bytes; -EINVAL for anything else (other algorithms included). */
int oci_digest_parse(const char *s, uint8_t out[32]);

int oci_index_parse(const char *buf, size_t len, struct oci_index *out, char *err, size_t errlen);
void oci_index_free(struct oci_index *ix);
int oci_manifest_parse(const char *buf, size_t len, struct oci_manifest *out, char *err, size_t errlen);
void oci_manifest_free(struct oci_manifest *m);

/*
 * The descriptor whose ref.name is label. With label_default (the user gave no
 * bootclabel) and no ref.name in the index at all, a single descriptor is taken.
 * -ENOENT with the labels that exist in err.
 */
int oci_index_pick_label(const struct oci_index *ix, const char *label, bool label_default, size_t *pick,
			 char *err, size_t errlen);

/* The descriptor for os/arch (variant if given and present); -ENOENT lists the platforms. */
int oci_index_pick_platform(const struct oci_index *ix, const char *os, const char *arch, size_t *pick,
			    char *err, size_t errlen);

/* The OCI architecture name of a uname machine ("x86_64" -> "amd64"). */
const char *oci_arch_from_machine(const char *machine);

/* A layer media type we can apply; *compressed tells whether it has a filter. */
bool oci_layer_type_ok(const char *media_type);

#endif
