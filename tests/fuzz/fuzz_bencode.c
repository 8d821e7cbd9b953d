/* libFuzzer: bencode, metainfo, tracker answers (HTTP bencoded, UDP binary) and LSD datagrams from
 * hostile bytes never crash, overrun or hang, and what they accept is consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/bencode.h"
#include "fetch/torrent_meta.h"
#include "fetch/tracker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bnode nodes[512];
	static struct tracker_answer a;
	struct torrent_meta m;
	struct bdoc d;
	char err[300];
	uint64_t conn;

	if (bencode_parse(&d, data, size, nodes, 512, err, sizeof(err)) == 0) {
		/* every node's range lies inside the input and inside its parent */
		for (unsigned i = 0; i < d.count; i++) {
			if (nodes[i].end > size || nodes[i].start >= nodes[i].end || nodes[i].next <= i ||
			    nodes[i].next > d.count)
				abort();
			if (nodes[i].type == BEN_STR && (uint64_t)nodes[i].str + nodes[i].len > nodes[i].end)
				abort();
		}
		if (nodes[0].start != 0 || nodes[0].end != size)
			abort();
	}
	if (torrent_meta_parse(&m, data, size, err, sizeof(err)) == 0) {
		if (!m.npieces || !m.pieces || !m.name[0] || strchr(m.name, '/') ||
		    (uint64_t)(m.npieces - 1) * m.piece_len >= m.length ||
		    torrent_piece_size(&m, m.npieces - 1) == 0)
			abort();
		torrent_meta_free(&m);
	}
	if (tracker_http_parse(data, size, &a, err, sizeof(err)) == 0 && a.npeers > TRACKER_MAX_PEERS)
		abort();
	if (tracker_udp_announce_parse(data, size, size >= 8 ? (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 |
				       (uint32_t)data[6] << 8 | data[7] : 0, &a, err, sizeof(err)) == 0 &&
	    a.npeers > TRACKER_MAX_PEERS)
		abort();
	tracker_udp_connect_parse(data, size, 0, &conn, err, sizeof(err));
	{
		static const uint8_t ih[20] = { 0xa0 };
		uint16_t port = 0;

		if (lsd_parse(data, size, ih, "c0ffee", &port) == 0 && port == 0)
			abort();
	}
	return 0;
}
