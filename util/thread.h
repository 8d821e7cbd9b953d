/* thread: every thread netinit starts gets an explicit stack. musl's default is 128 KiB
 * (glibc's follows RLIMIT_STACK, usually 8 MiB), too little for libarchive, libcurl and
 * mbedTLS on a hostile input; the stack is mapped lazily, so only the pages a thread
 * touches cost RAM. Header only; 0 or -errno. */
#ifndef NETINIT_UTIL_THREAD_H
#define NETINIT_UTIL_THREAD_H
#include <errno.h>
#include <pthread.h>

#ifndef UTIL_THREAD_STACK /* (-D for measuring what is needed) */
#define UTIL_THREAD_STACK (1024u * 1024u) /* bytes of stack for every thread */
#endif

/* pthread_create with a UTIL_THREAD_STACK stack; -errno (never sets errno). */
__attribute__((unused))
static int thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	pthread_attr_t a;
	int rc = pthread_attr_init(&a);

	if (rc)
		return -rc;
	rc = pthread_attr_setstacksize(&a, UTIL_THREAD_STACK);
	if (rc == 0)
		rc = pthread_create(th, &a, fn, arg);
	pthread_attr_destroy(&a);
	return -rc;
}

#endif
