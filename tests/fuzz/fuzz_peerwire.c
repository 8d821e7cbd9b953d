/* libFuzzer: the peer wire framer (fetch/peerwire.h) over a hostile stream: never reads
 * past the input, never accepts a message outside the torrent (index, offsets, block and
 * bitfield sizes), and consumes the stream in whole messages. The first bytes choose the
 * torrent's shape (pieces, piece length, the last piece's length). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/peerwire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t npieces, plen, last;
	struct pw_msg m;
	size_t pos;

	if (size < 6)
		return 0;
	npieces = 1 + ((uint32_t)data[0] << 8 | data[1]) % 70000;
	plen = 16384u << (data[2] % 6);
	last = 1 + (((uint32_t)data[3] << 8 | data[4]) * 97u) % plen;
	for (pos = 5; pos < size;) {
		uint32_t psz;
		int rc = pw_parse(data + pos, size - pos, npieces, plen, last, &m);

		if (rc <= 0)
			break;
		if ((size_t)rc > size - pos)
			abort();
		switch (m.id) {
		case PW_HAVE:
			if (m.index >= npieces)
				abort();
			break;
		case PW_BITFIELD:
			if (m.data_len != (npieces + 7) / 8 || m.data + m.data_len > data + size)
				abort();
			break;
		case PW_REQUEST:
		case PW_CANCEL:
		case PW_PIECE:
			psz = m.index + 1 == npieces ? last : plen;
			if (m.index >= npieces || m.begin > psz || m.length > psz - m.begin)
				abort();
			if (m.id != PW_PIECE && (m.length == 0 || m.length > PW_BLOCK))
				abort();
			if (m.id == PW_PIECE && (m.data + m.data_len > data + size || m.data_len > PW_BLOCK))
				abort();
			break;
		default:
			break;
		}
		pos += (size_t)rc;
	}
	return 0;
}
