/*
 * checksum: parse the expected SHA-256 of an image from the command line
 * (rd.live.sha256=<hex>|auto, rd.live.checksum=sha256:<hex>) and from a
 * ".sha256" file ("<hex>  name" lines, or KIWI's "<hex> blocks blocksize").
 * Pure string work; hashing itself happens in the fetch engine.
 */
#ifndef NETINIT_FETCH_CHECKSUM_H
#define NETINIT_FETCH_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHECKSUM_SHA256_LEN	32	/* digest bytes */
#define CHECKSUM_SHA256_HEX	64	/* digest hex digits */
#define CHECKSUM_FILE_MAX	65536	/* largest .sha256 file we read */

struct checksum {
	bool set;			/* a digest is expected */
	bool is_auto;			/* fetch "<URL>.sha256" to learn it */
	uint8_t sha256[CHECKSUM_SHA256_LEN];
};

/* rd.live.sha256=<64 hex digits>|auto */
int checksum_parse_sha256(const char *val, struct checksum *c, char *err, size_t errlen);
/* rd.live.checksum=sha256:<64 hex digits> (also "sha256:auto") */
int checksum_parse_spec(const char *val, struct checksum *c, char *err, size_t errlen);

/* Exactly 64 hex digits (either case) -> 32 bytes; -EINVAL otherwise. */
int checksum_hex_decode(const char *hex, size_t len, uint8_t out[CHECKSUM_SHA256_LEN]);
/* 32 bytes -> 64 lowercase hex digits + NUL. */
void checksum_hex_encode(const uint8_t d[CHECKSUM_SHA256_LEN], char out[CHECKSUM_SHA256_HEX + 1]);

/*
 * The digest for file `name` (the URL's last path element) in the text of
 * a .sha256 file. Each non-empty line starts with 64 hex digits; an optional
 * second field is a file name ("*name" too) or KIWI's block count. A line
 * naming `name` wins; otherwise the file must hold exactly one digest.
 */
int checksum_file_parse(const char *text, size_t len, const char *name,
			uint8_t out[CHECKSUM_SHA256_LEN], char *err, size_t errlen);

#endif
