/* bencode.h: a bounded, non-allocating bencode parser. */
#include "fetch/bencode.h"

#include <errno.h>
#include <string.h>

#include "util/errbuf.h"

struct parser {
	struct bdoc *d;
	size_t pos;
	char *err;
	size_t errlen;
};

static int bad(struct parser *p, int rc, const char *what)
{
	seterr(p->err, p->errlen, "bencode: %s at byte %zu", what, p->pos);
	return rc;
}

/* Digits up to term; no sign, no leading zero (except "0" itself). */
static int number(struct parser *p, char term, int allow_neg, int64_t *out)
{
	const uint8_t *b = p->d->buf;
	size_t len = p->d->len;
	int neg = 0;
	uint64_t v = 0, lim;
	size_t start;

	if (allow_neg && p->pos < len && b[p->pos] == '-') {
		neg = 1;
		p->pos++;
	}
	start = p->pos;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	while (p->pos < len && b[p->pos] >= '0' && b[p->pos] <= '9') {
		unsigned dgt = b[p->pos] - '0';

		if (v > (lim - dgt) / 10)
			return bad(p, -EBADMSG, "integer overflows 64 bits");
		v = v * 10 + dgt;
		p->pos++;
	}
	if (p->pos == start)
		return bad(p, -EBADMSG, "expected a digit");
	if (b[start] == '0' && p->pos - start > 1)
		return bad(p, -EBADMSG, "leading zero in a number");
	if (neg && v == 0)
		return bad(p, -EBADMSG, "negative zero");
	if (p->pos >= len || b[p->pos] != (uint8_t)term)
		return bad(p, -EBADMSG, term == 'e' ? "integer not ended by 'e'" : "string length not ended by ':'");
	p->pos++;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int value(struct parser *p, unsigned depth)
{
	struct bdoc *d = p->d;
	unsigned idx;
	struct bnode *n;
	int rc;

	if (p->pos >= d->len)
		return bad(p, -EBADMSG, "input ends where a value was expected");
	if (d->count >= d->cap)
		return bad(p, -E2BIG, "too many values");
	idx = d->count++;
	n = &d->n[idx];
	memset(n, 0, sizeof(*n));
	n->start = (uint32_t)p->pos;
	switch (d->buf[p->pos]) {
	case 'i':
		p->pos++;
		n->type = BEN_INT;
		rc = number(p, 'e', 1, &n->i);
		if (rc)
			return rc;
		break;
	case 'l':
	case 'd': {
		int is_dict = d->buf[p->pos] == 'd';

		if (depth >= BENCODE_MAX_DEPTH)
			return bad(p, -E2BIG, "nested too deeply");
		p->pos++;
		n->type = is_dict ? BEN_DICT : BEN_LIST;
		for (;;) {
			if (p->pos >= d->len)
				return bad(p, -EBADMSG, is_dict ? "dictionary not ended" : "list not ended");
			if (d->buf[p->pos] == 'e') {
				p->pos++;
				break;
			}
			if (is_dict && (d->buf[p->pos] < '0' || d->buf[p->pos] > '9'))
				return bad(p, -EBADMSG, "dictionary key is not a string");
			rc = value(p, depth + 1);
			if (rc)
				return rc;
			if (is_dict) {
				rc = value(p, depth + 1);
				if (rc)
					return rc;
			}
			d->n[idx].count++;
		}
		n = &d->n[idx];
		break;
	}
	default: {
		int64_t l;

		if (d->buf[p->pos] < '0' || d->buf[p->pos] > '9')
			return bad(p, -EBADMSG, "not a bencode value");
		n->type = BEN_STR;
		rc = number(p, ':', 0, &l);
		if (rc)
			return rc;
		if ((uint64_t)l > BENCODE_MAX_STR)
			return bad(p, -E2BIG, "string longer than the limit");
		if ((uint64_t)l > d->len - p->pos)
			return bad(p, -EBADMSG, "string runs past the end of the input");
		n->str = (uint32_t)p->pos;
		n->len = (uint32_t)l;
		p->pos += (size_t)l;
	}
	}
	n->end = (uint32_t)p->pos;
	n->next = d->count;
	return 0;
}

int bencode_parse(struct bdoc *d, const void *buf, size_t len, struct bnode *nodes, unsigned cap,
		  char *err, size_t errlen)
{
	struct parser p = { d, 0, err, errlen };
	int rc;

	d->buf = buf;
	d->len = len;
	d->n = nodes;
	d->count = 0;
	d->cap = cap;
	if (len > BENCODE_MAX_INPUT)
		return bad(&p, -E2BIG, "input longer than the limit");
	rc = value(&p, 0);
	if (rc)
		return rc;
	if (p.pos != len)
		return bad(&p, -EBADMSG, "trailing bytes after the value");
	return 0;
}

int bencode_child(const struct bdoc *d, int node)
{
	if (node < 0 || (unsigned)node >= d->count)
		return -1;
	if (d->n[node].type != BEN_LIST && d->n[node].type != BEN_DICT)
		return -1;
	return d->n[node].next > (unsigned)node + 1 ? node + 1 : -1;
}

int bencode_sibling(const struct bdoc *d, int parent, int node)
{
	if (parent < 0 || node < 0 || (unsigned)node >= d->count)
		return -1;
	return d->n[node].next < d->n[parent].next ? (int)d->n[node].next : -1;
}

const uint8_t *bencode_str(const struct bdoc *d, int node, size_t *len)
{
	if (node < 0 || (unsigned)node >= d->count || d->n[node].type != BEN_STR) {
		*len = 0;
		return NULL;
	}
	*len = d->n[node].len;
	return d->buf + d->n[node].str;
}

int bencode_str_is(const struct bdoc *d, int node, const char *s)
{
	size_t len;
	const uint8_t *b = bencode_str(d, node, &len);

	return b && len == strlen(s) && !memcmp(b, s, len);
}

int bencode_get(const struct bdoc *d, int dict, const char *key)
{
	if (dict < 0 || (unsigned)dict >= d->count || d->n[dict].type != BEN_DICT)
		return -1;
	for (int k = bencode_child(d, dict); k >= 0;) {
		int v = bencode_sibling(d, dict, k);

		if (v < 0)
			return -1;
		if (bencode_str_is(d, k, key))
			return v;
		k = bencode_sibling(d, dict, v);
	}
	return -1;
}

int bencode_get_type(const struct bdoc *d, int dict, const char *key, enum bencode_type type)
{
	int v = bencode_get(d, dict, key);

	return v >= 0 && d->n[v].type == type ? v : -1;
}
