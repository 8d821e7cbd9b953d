/*
 * fetchtool: drive the fetch engine from a shell test or benchmark.
 *   fetchtool [options] URL OUT
 * OUT is a file or block device (created if missing); "-" discards. A URL "dolly:..."
 * joins a dolly chain (fetch/dolly.h) instead, with --dolly-options and --hostname.
 * Events go to stderr as "event <type> ..." lines, the result as
 * "ok bytes=N attempts=N resumes=N restarts=N sha256=HEX" on stdout,
 * a failure as "error: <message> (<errno name>)" with exit status 1.
 * A torrent:// or torrent+https:// URL runs the BitTorrent transport (fetch/torrent.h)
 * instead: "ok torrent bytes=N peers=N webseed=N uploaded=N bad=N banned=N ms=N".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch/checksum.h"
#include "fetch/curlopts.h"
#include "fetch/dolly.h"
#include "fetch/fetch.h"
#include "fetch/progress.h"
#include "fetch/sink.h"
#include "fetch/torrent.h"

static bool quiet, show_progress;

static void on_event(const struct fetch_event *e, void *ctx)
{
	char line[PROGRESS_LINE_MAX];

	switch (e->type) {
	case FETCH_EV_START:
		fprintf(stderr, "event start attempt=%u total=%" PRIu64 "\n", e->attempt, e->total);
		break;
	case FETCH_EV_PROGRESS:
		if (show_progress && !quiet && progress_due(e->elapsed_ms)) {
			progress_line(line, sizeof(line), e->bytes, e->total, e->elapsed_ms);
			fprintf(stderr, "event progress%s\n", line);
		}
		break;
	case FETCH_EV_RETRY:
		fprintf(stderr, "event retry attempt=%u delay_ms=%u bytes=%" PRIu64 ": %s\n", e->attempt,
			e->delay_ms, e->bytes, e->msg);
		break;
	case FETCH_EV_RESUME:
		fprintf(stderr, "event resume attempt=%u offset=%" PRIu64 " total=%" PRIu64 "\n", e->attempt,
			e->offset, e->total);
		break;
	case FETCH_EV_RESTART:
		fprintf(stderr, "event restart attempt=%u: %s\n", e->attempt, e->msg ? e->msg : "");
		break;
	case FETCH_EV_WARNING:
		fprintf(stderr, "event warning: %s\n", e->msg);
		break;
	case FETCH_EV_DONE:
		progress_summary(line, sizeof(line), e->bytes, e->elapsed_ms);
		fprintf(stderr, "event done %s\n", line);
		break;
	case FETCH_EV_WAIT:
		if (e->msg)
			fprintf(stderr, "event step %s\n", e->msg);
		else
			fprintf(stderr, "event wait delay_ms=%u\n", e->delay_ms);
		break;
	case FETCH_EV_SOURCE:
		fprintf(stderr, "event source %s\n", e->msg);
		break;
	}
}

static int discard(void *ctx, const void *buf, size_t len)
{
	return 0;
}

static int discard_reset(void *ctx)
{
	return 0;
}

static const char *errname(int rc)
{
	switch (-rc) {
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EPROTO: return "EPROTO";
	case EKEYREJECTED: return "EKEYREJECTED";
	case EFBIG: return "EFBIG";
	case EBADMSG: return "EBADMSG";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EINVAL: return "EINVAL";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ECONNABORTED: return "ECONNABORTED";
	case EPIPE: return "EPIPE";
	default: return strerror(-rc);
	}
}

/* "a.b.c.d:port" */
static int parse_peer(const char *s, struct tracker_peer *p)
{
	unsigned a, b, c, d, port;
	char end;

	if (sscanf(s, "%u.%u.%u.%u:%u%c", &a, &b, &c, &d, &port, &end) != 5 || a > 255 || b > 255 || c > 255 ||
	    d > 255 || !port || port > 65535)
		return -EINVAL;
	p->ip[0] = (uint8_t)a;
	p->ip[1] = (uint8_t)b;
	p->ip[2] = (uint8_t)c;
	p->ip[3] = (uint8_t)d;
	p->port = (uint16_t)port;
	return 0;
}

static int torrent_main(const struct fetch_opts *o, struct torrent_opts *to, const char *url, const char *out)
{
	char meta[FETCH_URL_MAX], err[512];
	struct fetch_sink sink;
	struct sink_fd sfd;
	struct torrent_stats st;
	int rc = torrent_meta_url(url, meta, sizeof(meta));

	if (rc) {
		printf("error: not a torrent URL: %s (%s)\n", url, errname(rc));
		return 1;
	}
	rc = sink_fd_open(&sfd, out, &sink, err, sizeof(err));
	if (rc) {
		printf("error: %s (%s)\n", err, errname(rc));
		return 1;
	}
	if (to->seed_spawn) {	/* as netinit: the seeder reads the file it was written to, read-only */
		to->seed_fd = open(out, O_RDONLY | O_CLOEXEC);
		if (to->seed_fd < 0) {
			printf("error: --seed-after needs a file to write to, not %s (%s)\n", out, errname(-errno));
			sink_fd_close(&sfd);
			return 1;
		}
	}
	rc = torrent_fetch(o, to, meta, &sink, on_event, NULL, &st, err, sizeof(err));
	if (to->seed_fd >= 0)
		close(to->seed_fd);
	sink_fd_close(&sfd);
	if (rc) {
		printf("error: %s (%s)\n", err, errname(rc));
		return 1;
	}
	printf("ok torrent bytes=%" PRIu64 " peers=%" PRIu64 " webseed=%" PRIu64 " uploaded=%" PRIu64
	       " bad=%u banned=%u seen=%u lsd=%u ms=%" PRIu64 " seeder=%d\n", st.length, st.from_peers, st.from_webseed,
	       st.uploaded, st.bad_pieces, st.banned, st.peers_seen, st.lsd_peers, st.elapsed_ms, st.seed_pid);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: fetchtool [--sha256 HEX|auto] [--checksum sha256:HEX] [--curl-options LIST]\n"
		"  [--insecure] [--proxy URL] [--retry S] [--mem-avail BYTES] [--mem-reserve BYTES]\n"
		"  [--meminfo] [--own-decomp] [--no-digest] [--no-decompress] [--progress] [--quiet]\n"
		"  [--dolly-options LIST] [--hostname NAME] URL|dolly:[...] OUT|-\n"
		"  torrent URLs: [--peer IP:PORT] [--no-trackers] [--no-webseed] [--lsd] [--seed-time S] [--port N]\n"
		"  [--seed-after S|Rx|S,Rx] (a seeder process as netinit's rd.live.torrent.seed; OUT a file)\n"
		"  [--webseed-idle-ms MS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct fetch_opts o;
	struct fetch_stats st;
	struct fetch_sink sink;
	struct sink_fd sfd;
	char err[1024];
	uint64_t mem_avail = 0, mem_reserve = 0;
	bool use_meminfo = false, own_decomp = false;
	struct sink_decomp dec;
	struct fetch_sink dec_sink, *use = &sink;
	struct dolly_opts dolly;
	struct torrent_opts to;
	const char *hostname = NULL;
	bool is_dolly;
	int i, rc;

	fetch_opts_init(&o);
	dolly_opts_init(&dolly);
	torrent_opts_init(&to);
	to.no_lsd = true;	/* a host test must not multicast onto the host's network */
	o.digest = true;
	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		rc = 0;
		if (!strcmp(a, "--sha256") && v) {
			rc = checksum_parse_sha256(v, &o.sum, err, sizeof(err));
			i++;
		} else if (!strcmp(a, "--checksum") && v) {
			rc = checksum_parse_spec(v, &o.sum, err, sizeof(err));
			i++;
		} else if (!strcmp(a, "--curl-options") && v) {
			rc = curlopts_parse(v, &o, err, sizeof(err));
			i++;
		} else if (!strcmp(a, "--proxy") && v) {
			rc = fetch_set_proxy(&o, v, err, sizeof(err));
			i++;
		} else if (!strcmp(a, "--mirror") && v) {
			rc = fetch_add_mirror(&o, v, err, sizeof(err));
			i++;
		} else if (!strcmp(a, "--start-delay-ms") && v) {
			o.start_delay_ms = (unsigned)strtoul(v, NULL, 10);
			i++;
		} else if (!strcmp(a, "--seed") && v) {
			o.seed = strtoull(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--retry") && v) {
			o.retry_deadline_s = (unsigned)strtoul(v, NULL, 10);
			i++;
		} else if (!strcmp(a, "--mem-avail") && v) {
			mem_avail = strtoull(v, NULL, 10);
			i++;
		} else if (!strcmp(a, "--mem-reserve") && v) {
			mem_reserve = strtoull(v, NULL, 10);
			i++;
		} else if (!strcmp(a, "--dolly-options") && v) {
			rc = dolly_options_parse(v, &dolly, err, sizeof(err));
			i++;
		} else if (!strcmp(a, "--hostname") && v) {
			hostname = v;
			i++;
		} else if (!strcmp(a, "--insecure")) {
			o.insecure = true;
		} else if (!strcmp(a, "--own-decomp")) {
			own_decomp = true;	/* wrap the sink ourselves, as a caller may */
		} else if (!strcmp(a, "--meminfo")) {
			use_meminfo = true;
		} else if (!strcmp(a, "--no-digest")) {
			o.digest = false;
		} else if (!strcmp(a, "--no-decompress")) {
			o.decompress = false;
		} else if (!strcmp(a, "--progress")) {
			show_progress = true;
		} else if (!strcmp(a, "--peer") && v) {
			if (to.nextra >= TORRENT_MAX_EXTRA_PEERS || parse_peer(v, &to.extra[to.nextra]))
				usage();
			to.nextra++;
			i++;
		} else if (!strcmp(a, "--no-trackers")) {
			to.no_trackers = true;
		} else if (!strcmp(a, "--lsd")) {
			to.no_lsd = false;	/* multicast: only inside a namespace of the test's own */
		} else if (!strcmp(a, "--no-webseed")) {
			to.no_webseed = true;
		} else if (!strcmp(a, "--seed-after") && v) {
			if (torrent_seed_parse(v, &to.seed_s, &to.seed_ratio_pct)) {
				usage();
				return 2;
			}
			to.seed_spawn = to.seed_s || to.seed_ratio_pct;
			i++;
		} else if (!strcmp(a, "--seed-time") && v) {
			to.seed_s = (unsigned)atoi(v);
			i++;
		} else if (!strcmp(a, "--port") && v) {
			to.port = (uint16_t)atoi(v);
			i++;
		} else if (!strcmp(a, "--webseed-idle-ms") && v) {
			to.webseed_idle_ms = (unsigned)atoi(v);
			i++;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else {
			usage();
		}
		if (rc) {
			printf("error: %s (%s)\n", err, errname(rc));
			return 1;
		}
	}
	if (argc - i != 2)
		usage();
	if (hostname)
		snprintf(dolly.hostname, sizeof(dolly.hostname), "%s", hostname);
	if (torrent_is_url(argv[i]))
		return torrent_main(&o, &to, argv[i], argv[i + 1]);
	is_dolly = !strncmp(argv[i], "dolly:", 6);
	rc = is_dolly ? 0 : fetch_set_url(&o, argv[i], err, sizeof(err));
	if (rc) {
		printf("error: %s (%s)\n", err, errname(rc));
		return 1;
	}
	if (!strcmp(argv[i + 1], "-")) {
		sink_callback_init(&sink, discard, discard_reset, NULL);
		sfd.fd = -1;
	} else {
		rc = sink_fd_open(&sfd, argv[i + 1], &sink, err, sizeof(err));
		if (rc) {
			printf("error: %s (%s)\n", err, errname(rc));
			return 1;
		}
	}
	if (use_meminfo) {
		rc = fetch_mem_available(&mem_avail);
		if (rc) {
			printf("error: cannot read MemAvailable (%s)\n", errname(rc));
			return 1;
		}
	}
	sink.mem_avail = mem_avail;
	sink.mem_reserve = mem_reserve;
	if (own_decomp) {
		rc = sink_decomp_init(&dec, sink_codec_for_url(o.url), &sink, &dec_sink, err, sizeof(err));
		if (rc) {
			printf("error: %s (%s)\n", err, errname(rc));
			return 1;
		}
		use = &dec_sink;
	}
	if (is_dolly)
		rc = dolly_fetch(&dolly, &o, argv[i], use, on_event, NULL, &st, err, sizeof(err));
	else
		rc = fetch_url(&o, use, on_event, NULL, &st, err, sizeof(err));
	if (own_decomp)
		sink_decomp_free(&dec);
	if (sfd.fd >= 0)
		sink_fd_close(&sfd);
	if (rc) {
		printf("error: %s (%s)\n", err, errname(rc));
		return 1;
	}
	char hex[CHECKSUM_SHA256_HEX + 1];

	checksum_hex_encode(st.sha256, hex);
	printf("ok bytes=%" PRIu64 " ms=%" PRIu64 " attempts=%u resumes=%u restarts=%u sha256=%s", st.bytes,
	       st.elapsed_ms, st.attempts, st.resumes, st.restarts, hex);
	for (unsigned s = 0; st.nsrc > 1 && s < st.nsrc; s++)
		printf(" src%u=%" PRIu64, s, st.src_bytes[s]);
	putchar('\n');
	return 0;
}
