/* libFuzzer: the deployment record at the end of a hostile disk, and the verdict
 * (blockdev/deploy.c). The input is the record area (4097 bytes with an odd last
 * byte: the magic and CRC are made right); the same bytes serve as the disk's
 * head for deploy_judge. A record that decodes encodes back to the same facts; the
 * verdict is one of the five and says why; deploy_complete on a decoded record
 * only ever completes a "writing" one, with the byte count it was given. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blockdev/part.h"
#include "blockdev/deploy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t enc[DEPLOY_RECORD_SIZE];
	struct deploy_info rec, back;
	enum deploy_verdict v;
	uint8_t *buf = malloc(size ? size : 1);	/* exact size: ASan sees any overrun */
	char why[512];
	int rc;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	/* one byte past a record: give it the magic and a right CRC, so that the
	 * fuzzer reaches the field checks without a seed corpus */
	if (size == DEPLOY_RECORD_SIZE + 1 && (data[size - 1] & 1)) {
		uint32_t crc;

		memcpy(buf, DEPLOY_MAGIC, 16);
		crc = part_crc32(0, buf, offsetof(struct deploy_record, crc32));
		for (int i = 0; i < 4; i++)
			buf[offsetof(struct deploy_record, crc32) + i] = (uint8_t)(crc >> (8 * i));
	}
	rc = deploy_record_decode(buf, size, &rec);
	if (rc == 0) {
		if (!memchr(rec.url, '\0', sizeof(rec.url)))
			abort();
		if (deploy_record_encode(&rec, enc) != 0 || deploy_record_decode(enc, sizeof(enc), &back) != 0 ||
		    back.state != rec.state || back.image_bytes != rec.image_bytes || back.disk_bytes != rec.disk_bytes ||
		    back.has_sha256 != rec.has_sha256 || strcmp(back.url, rec.url) ||
		    (rec.has_sha256 && memcmp(back.image_sha256, rec.image_sha256, 32)))
			abort();
	} else if (rc != -ENOENT && rc != -EBADMSG) {
		abort();
	}
	why[0] = '\0';
	v = deploy_judge(buf, size, size && (buf[0] & 1), rc, &rec, rc == 0 ? rec.disk_bytes : 1ull << 30,
			 rc == 0 && size > 1 && (buf[1] & 1) ? rec.url : "http://h/x.iso",
			 rc == 0 && rec.has_sha256 && size > 2 && (buf[2] & 1) ? rec.image_sha256 : NULL, why, sizeof(why));
	if ((unsigned)v > DEPLOY_FOREIGN || !why[0] || !memchr(why, '\0', sizeof(why)))
		abort();
	deploy_verdict_name(v);
	if (rc == 0) {
		struct deploy_info m = rec;
		uint64_t written = rec.image_bytes;

		if (deploy_complete(&m, written, rec.has_sha256 ? rec.image_sha256 : NULL, rec.image_sha256, why,
				    sizeof(why)) == 0 &&
		    (rec.state != DEPLOY_STATE_WRITING || m.state != DEPLOY_STATE_COMPLETE || m.image_bytes != written ||
		     written == 0 || written > rec.disk_bytes))
			abort();
	}
	free(buf);
	return 0;
}
