/* peerwire.h: BEP 3 messages, framed and checked. */
#include "fetch/peerwire.h"

#include <errno.h>
#include <string.h>

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void pw_handshake(uint8_t out[PW_HANDSHAKE_LEN], const uint8_t info_hash[20], const uint8_t peer_id[20])
{
	out[0] = (uint8_t)strlen(PW_PSTR);
	memcpy(out + 1, PW_PSTR, 19);
	memset(out + 20, 0, 8);		/* reserved: no extensions */
	memcpy(out + 28, info_hash, 20);
	memcpy(out + 48, peer_id, 20);
}

int pw_handshake_check(const uint8_t in[PW_HANDSHAKE_LEN], const uint8_t info_hash[20], uint8_t *peer_id)
{
	if (in[0] != 19 || memcmp(in + 1, PW_PSTR, 19) || memcmp(in + 28, info_hash, 20))
		return -EPROTO;
	if (peer_id)
		memcpy(peer_id, in + 48, 20);
	return 0;
}

static uint32_t piece_size(uint32_t i, uint32_t npieces, uint32_t piece_len, uint32_t last_len)
{
	return i + 1 == npieces ? last_len : piece_len;
}

int pw_parse(const uint8_t *buf, size_t len, uint32_t npieces, uint32_t piece_len, uint32_t last_len,
	     struct pw_msg *m)
{
	uint32_t n, bf = (npieces + 7) / 8;
	const uint8_t *p;

	memset(m, 0, sizeof(*m));
	if (len < 4)
		return 0;
	n = be32(buf);
	if (n == 0) {
		m->id = PW_KEEPALIVE;
		return 4;
	}
	/* LIMIT: nothing but a bitfield of this torrent's size is longer than one block */
	if (n > PW_MSG_MAX && !(n == 1 + bf && bf <= PW_BITFIELD_MAX))
		return -E2BIG;
	if (len < 5)
		return 0;
	if (buf[4] > PW_PORT) {
		m->id = PW_OTHER;
		if (n > PW_MSG_MAX)
			return -E2BIG;
	} else {
		m->id = (enum pw_id)buf[4];
		if (m->id != PW_BITFIELD && n > PW_MSG_MAX)
			return -E2BIG;
	}
	if (len - 4 < n)
		return 0;
	p = buf + 5;
	switch (m->id) {
	case PW_CHOKE:
	case PW_UNCHOKE:
	case PW_INTERESTED:
	case PW_NOT_INTERESTED:
		if (n != 1)
			return -EBADMSG;
		break;
	case PW_HAVE:
		if (n != 5)
			return -EBADMSG;
		m->index = be32(p);
		if (m->index >= npieces)
			return -EBADMSG;
		break;
	case PW_BITFIELD:
		if (n != 1 + bf)
			return -EBADMSG;
		/* spare bits past the last piece must be clear */
		if (npieces % 8 && (p[bf - 1] & (0xffu >> (npieces % 8))))
			return -EBADMSG;
		m->data = p;
		m->data_len = bf;
		break;
	case PW_REQUEST:
	case PW_CANCEL:
		if (n != 13)
			return -EBADMSG;
		m->index = be32(p);
		m->begin = be32(p + 4);
		m->length = be32(p + 8);
		if (m->index >= npieces || m->length == 0 || m->length > PW_BLOCK ||
		    m->begin > piece_size(m->index, npieces, piece_len, last_len) ||
		    m->length > piece_size(m->index, npieces, piece_len, last_len) - m->begin)
			return -EBADMSG;
		break;
	case PW_PIECE:
		if (n < 9 + 1)
			return -EBADMSG;
		m->index = be32(p);
		m->begin = be32(p + 4);
		m->data = p + 8;
		m->data_len = m->length = n - 9;
		if (m->index >= npieces || m->begin > piece_size(m->index, npieces, piece_len, last_len) ||
		    m->length > piece_size(m->index, npieces, piece_len, last_len) - m->begin)
			return -EBADMSG;
		break;
	case PW_PORT:
		if (n != 3)
			return -EBADMSG;
		break;
	default:	/* PW_OTHER */
		break;
	}
	return (int)(4 + n);
}

size_t pw_put_simple(uint8_t *out, enum pw_id id)
{
	put32(out, 1);
	out[4] = (uint8_t)id;
	return 5;
}

size_t pw_put_have(uint8_t *out, uint32_t index)
{
	put32(out, 5);
	out[4] = PW_HAVE;
	put32(out + 5, index);
	return 9;
}

size_t pw_put_request(uint8_t *out, enum pw_id id, uint32_t index, uint32_t begin, uint32_t length)
{
	put32(out, 13);
	out[4] = (uint8_t)id;
	put32(out + 5, index);
	put32(out + 9, begin);
	put32(out + 13, length);
	return 17;
}

size_t pw_put_piece_header(uint8_t *out, uint32_t index, uint32_t begin, uint32_t block_len)
{
	put32(out, 9 + block_len);
	out[4] = PW_PIECE;
	put32(out + 5, index);
	put32(out + 9, begin);
	return 13;
}

size_t pw_put_keepalive(uint8_t *out)
{
	put32(out, 0);
	return 4;
}

size_t pw_put_bitfield_header(uint8_t *out, uint32_t npieces)
{
	put32(out, 1 + (npieces + 7) / 8);
	out[4] = PW_BITFIELD;
	return 5;
}
