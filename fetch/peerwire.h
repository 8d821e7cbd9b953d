/*
 * peerwire: BitTorrent's peer wire protocol (BEP 3) as pure functions: the 68-byte
 * handshake, and messages (<length:4><id:1><payload>) framed out of a byte buffer and
 * checked against the torrent (lengths per id, piece indexes, bitfield size and spare
 * bits, block size limits). No sockets here: fetch/torrent.c owns the connections.
 */
#ifndef NETINIT_FETCH_PEERWIRE_H
#define NETINIT_FETCH_PEERWIRE_H

#include <stddef.h>
#include <stdint.h>

#define PW_PSTR			"BitTorrent protocol"
#define PW_HANDSHAKE_LEN	68	/* 1 + 19 + 8 reserved + 20 info-hash + 20 peer id */
#define PW_BLOCK		(16u << 10)	/* bytes we ask for in one request (and serve at most) */
#define PW_MSG_MAX		(9 + PW_BLOCK)	/* a longer message ends the connection ... */
#define PW_BITFIELD_MAX		(1u << 20)	/* ... except a bitfield up to this (8 Mi pieces) */

enum pw_id {
	PW_CHOKE = 0,
	PW_UNCHOKE = 1,
	PW_INTERESTED = 2,
	PW_NOT_INTERESTED = 3,
	PW_HAVE = 4,		/* <index:4> */
	PW_BITFIELD = 5,	/* <bits>, high bit of the first byte = piece 0 */
	PW_REQUEST = 6,		/* <index:4><begin:4><length:4> */
	PW_PIECE = 7,		/* <index:4><begin:4><block> */
	PW_CANCEL = 8,		/* as request */
	PW_PORT = 9,		/* <port:2> (DHT, BEP 5): ignored */
	PW_KEEPALIVE = 256,	/* a zero-length message (no id on the wire) */
	PW_OTHER = 257,		/* an id we do not speak (extensions): skipped */
};

struct pw_msg {
	enum pw_id id;
	uint32_t index, begin, length;	/* have, request, piece, cancel (length: of a piece's block too) */
	const uint8_t *data;		/* bitfield bits / a piece's block, inside the input */
	uint32_t data_len;
};

/* Our handshake into out[PW_HANDSHAKE_LEN]. */
void pw_handshake(uint8_t out[PW_HANDSHAKE_LEN], const uint8_t info_hash[20], const uint8_t peer_id[20]);
/* Check a peer's handshake: its protocol string and info-hash; peer_id gets its id (may be NULL).
 * 0 or -EPROTO. */
int pw_handshake_check(const uint8_t in[PW_HANDSHAKE_LEN], const uint8_t info_hash[20], uint8_t *peer_id);

/*
 * Frame one message out of buf[0..len). Returns the bytes it takes (> 0) with *m filled,
 * 0 if more bytes are needed, or -EBADMSG (a malformed or out-of-range message; the
 * connection is to be dropped) / -E2BIG (longer than PW_MSG_MAX, or the bitfield's size).
 * npieces and piece_len bound indexes and offsets: a request or piece must lie inside
 * its piece (piece_size(i) = the last piece may be shorter: last_len).
 */
int pw_parse(const uint8_t *buf, size_t len, uint32_t npieces, uint32_t piece_len, uint32_t last_len,
	     struct pw_msg *m);

/* Encoders: the message into out (size at least 17 bytes, or 13 for the header of a piece
 * whose block the caller sends after it); return its length. */
size_t pw_put_simple(uint8_t *out, enum pw_id id);				/* choke..not interested */
size_t pw_put_have(uint8_t *out, uint32_t index);
size_t pw_put_request(uint8_t *out, enum pw_id id, uint32_t index, uint32_t begin, uint32_t length); /* request, cancel */
size_t pw_put_piece_header(uint8_t *out, uint32_t index, uint32_t begin, uint32_t block_len);
size_t pw_put_keepalive(uint8_t *out);
/* Bitfield message header (5 bytes) for npieces; the bits follow. */
size_t pw_put_bitfield_header(uint8_t *out, uint32_t npieces);

#endif
