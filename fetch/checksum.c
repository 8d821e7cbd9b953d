#include "fetch/checksum.h"
#include "util/hex.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int checksum_hex_decode(const char *hex, size_t len, uint8_t out[CHECKSUM_SHA256_LEN])
{
	if (!hex || len != CHECKSUM_SHA256_HEX)
		return -EINVAL;
	for (size_t i = 0; i < CHECKSUM_SHA256_LEN; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void checksum_hex_encode(const uint8_t d[CHECKSUM_SHA256_LEN], char out[CHECKSUM_SHA256_HEX + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < CHECKSUM_SHA256_LEN; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 0xf];
	}
	out[CHECKSUM_SHA256_HEX] = '\0';
}

static int parse_value(const char *param, const char *val, struct checksum *c,
		       char *err, size_t errlen)
{
	struct checksum tmp = { 0 };

	if (!val || !*val) {
		snprintf(err, errlen, "%s: empty value, expected 64 hex digits or 'auto'", param);
		return -EINVAL;
	}
	for (const char *p = val; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "%s: control character in the value, expected 64 hex digits or 'auto'",
				 param);
			return -EINVAL;
		}
	}
	if (!strcmp(val, "auto")) {
		tmp.set = true;
		tmp.is_auto = true;
	} else if (checksum_hex_decode(val, strlen(val), tmp.sha256) == 0) {
		tmp.set = true;
	} else {
		snprintf(err, errlen, "%s: '%.80s' is not a SHA-256 digest, expected 64 hex digits or 'auto'",
			 param, val);
		return -EINVAL;
	}
	*c = tmp;
	return 0;
}

int checksum_parse_sha256(const char *val, struct checksum *c, char *err, size_t errlen)
{
	return parse_value("rd.live.sha256", val, c, err, errlen);
}

int checksum_parse_spec(const char *val, struct checksum *c, char *err, size_t errlen)
{
	const char *colon = val ? strchr(val, ':') : NULL;

	for (const char *p = val; p && *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "rd.live.checksum: control character in the value, expected sha256:<64 hex digits>");
			return -EINVAL;
		}
	}
	if (!colon) {
		snprintf(err, errlen, "rd.live.checksum: '%.80s' has no algorithm, expected sha256:<64 hex digits>",
			 val ? val : "");
		return -EINVAL;
	}
	if ((size_t)(colon - val) != strlen("sha256") || strncasecmp(val, "sha256", strlen("sha256"))) {
		snprintf(err, errlen, "rd.live.checksum: algorithm '%.*s' is not supported, expected sha256",
			 (int)(colon - val > 32 ? 32 : colon - val), val);
		return -EINVAL;
	}
	return parse_value("rd.live.checksum", colon + 1, c, err, errlen);
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

int checksum_file_parse(const char *text, size_t len, const char *name,
			uint8_t out[CHECKSUM_SHA256_LEN], char *err, size_t errlen)
{
	uint8_t first[CHECKSUM_SHA256_LEN];
	unsigned ndigests = 0;
	size_t namelen = name ? strlen(name) : 0;
	size_t pos = 0;

	if (len > CHECKSUM_FILE_MAX) {
		snprintf(err, errlen, "checksum file is %zu bytes, expected at most %d", len, CHECKSUM_FILE_MAX);
		return -EINVAL;
	}
	while (pos < len) {
		size_t end = pos, i;
		uint8_t d[CHECKSUM_SHA256_LEN];

		while (end < len && text[end] != '\n')
			end++;
		i = pos;
		while (i < end && is_space(text[i]))
			i++;
		if (i == end || text[i] == '#') {
			pos = end + 1;
			continue;
		}
		if (end - i < CHECKSUM_SHA256_HEX || checksum_hex_decode(text + i, CHECKSUM_SHA256_HEX, d) ||
		    (end - i > CHECKSUM_SHA256_HEX && !is_space(text[i + CHECKSUM_SHA256_HEX]))) {
			snprintf(err, errlen, "checksum file: a line does not start with 64 hex digits");
			return -EINVAL;
		}
		if (ndigests++ == 0)
			memcpy(first, d, sizeof(first));
		i += CHECKSUM_SHA256_HEX;
		while (i < end && is_space(text[i]))
			i++;
		if (i < end && (text[i] == '*' || text[i] == ' '))
			i++;
		/* compare the file-name field (up to the line end, without trailing blanks) */
		size_t fe = end;

		while (fe > i && is_space(text[fe - 1]))
			fe--;
		if (namelen && fe - i == namelen && !memcmp(text + i, name, namelen)) {
			memcpy(out, d, CHECKSUM_SHA256_LEN);
			return 0;
		}
		if (namelen && fe - i > namelen && text[fe - namelen - 1] == '/' &&
		    !memcmp(text + fe - namelen, name, namelen)) {
			memcpy(out, d, CHECKSUM_SHA256_LEN);
			return 0;
		}
		pos = end + 1;
	}
	if (ndigests == 1) {
		memcpy(out, first, CHECKSUM_SHA256_LEN);
		return 0;
	}
	if (ndigests == 0)
		snprintf(err, errlen, "checksum file holds no SHA-256 digest, expected '<64 hex digits>  <name>'");
	else
		snprintf(err, errlen, "checksum file holds %u digests and none for '%.200s'", ndigests,
			 name ? name : "");
	return -EINVAL;
}
