#include "fetch/hashq.h"
#include "util/thread.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct hashq {
	struct sha256 sha;
	bool threaded;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* any change of head/tail/stop */
	unsigned char *buf;		/* HASHQ_SLOTS * HASHQ_SLOT_SIZE */
	size_t fill[HASHQ_SLOTS];	/* bytes in each published slot */
	unsigned head;			/* next slot the worker hashes */
	unsigned tail;			/* slot the producer fills */
	unsigned queued;		/* published, not yet hashed */
	size_t cur;			/* bytes in the slot being filled */
	bool stop;
};

static void *worker(void *arg)
{
	struct hashq *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->queued && !q->stop)
			pthread_cond_wait(&q->cond, &q->lock);
		if (!q->queued && q->stop)
			break;
		unsigned slot = q->head;

		pthread_mutex_unlock(&q->lock);
		sha256_update(&q->sha, q->buf + (size_t)slot * HASHQ_SLOT_SIZE, q->fill[slot]);
		pthread_mutex_lock(&q->lock);
		q->head = (q->head + 1) % HASHQ_SLOTS;
		q->queued--;
		pthread_cond_broadcast(&q->cond);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct hashq *hashq_new(void)
{
	struct hashq *q = calloc(1, sizeof(*q));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (!q)
		return NULL;
	sha256_init(&q->sha);
#ifdef HASHQ_INLINE
	cpus = 1;	/* benchmarks: compare with hashing inline */
#endif
	if (cpus < 2)
		return q;
	q->buf = malloc((size_t)HASHQ_SLOTS * HASHQ_SLOT_SIZE);
	if (!q->buf)
		return q;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	if (thread_start(&q->thread, worker, q) < 0) {
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->cond);
		free(q->buf);
		q->buf = NULL;
		return q;
	}
	q->threaded = true;
	return q;
}

/* Hand the slot being filled to the worker; waits while the ring is full. */
static void publish(struct hashq *q)
{
	if (!q->cur)
		return;
	pthread_mutex_lock(&q->lock);
	q->fill[q->tail] = q->cur;
	q->queued++;
	q->tail = (q->tail + 1) % HASHQ_SLOTS;
	pthread_cond_broadcast(&q->cond);
	while (q->queued == HASHQ_SLOTS)
		pthread_cond_wait(&q->cond, &q->lock);
	pthread_mutex_unlock(&q->lock);
	q->cur = 0;
}

static void drain(struct hashq *q)
{
	publish(q);
	pthread_mutex_lock(&q->lock);
	while (q->queued)
		pthread_cond_wait(&q->cond, &q->lock);
	pthread_mutex_unlock(&q->lock);
}

void hashq_add(struct hashq *q, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (!q->threaded) {
		sha256_update(&q->sha, data, len);
		return;
	}
	while (len) {
		size_t take = HASHQ_SLOT_SIZE - q->cur < len ? HASHQ_SLOT_SIZE - q->cur : len;

		memcpy(q->buf + (size_t)q->tail * HASHQ_SLOT_SIZE + q->cur, p, take);
		q->cur += take;
		p += take;
		len -= take;
		if (q->cur == HASHQ_SLOT_SIZE)
			publish(q);
	}
}

void hashq_reset(struct hashq *q)
{
	if (q->threaded)
		drain(q);
	sha256_init(&q->sha);
}

void hashq_digest(struct hashq *q, uint8_t out[SHA256_DIGEST])
{
	struct sha256 copy;

	if (q->threaded)
		drain(q);
	copy = q->sha;
	sha256_final(&copy, out);
}

void hashq_free(struct hashq *q)
{
	if (!q)
		return;
	if (q->threaded) {
		pthread_mutex_lock(&q->lock);
		q->stop = true;
		pthread_cond_broadcast(&q->cond);
		pthread_mutex_unlock(&q->lock);
		pthread_join(q->thread, NULL);
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->cond);
	}
	free(q->buf);
	free(q);
}
