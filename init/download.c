#include "init/download.h"
#include "init/log.h"
#include "fetch/progress.h"
#include "fetch/sink.h"
#include "fetch/torrent.h"
#include "oci/mirrors.h"
#include "oci/registry.h"
#include "init/mounts.h"
#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

void download_event(const struct fetch_event *ev, void *ctx)
{
	char line[200];

	switch (ev->type) {
	case FETCH_EV_START:
		progress_size(line, sizeof(line), ev->total);
		log_info("downloading %s (%s)", ev->msg ? ev->msg : (const char *)ctx, ev->total ? line : "size unknown");
		break;
	case FETCH_EV_PROGRESS:
		if (ev->elapsed_ms < 1000)
			break; /* progress only for downloads that take a while */
		progress_line(line, sizeof(line), ev->bytes, ev->total, ev->elapsed_ms);
		log_progress(0, "%s", line);
		break;
	case FETCH_EV_RETRY:
		if (ev->backoff_ms)
			log_warn("download attempt %u failed: %s; retrying in %u ms (jittered, backoff up to %u ms)",
				 ev->attempt, ev->msg ? ev->msg : "?", ev->delay_ms, ev->backoff_ms);
		else
			log_warn("download attempt %u failed: %s; trying the next source now", ev->attempt,
				 ev->msg ? ev->msg : "?");
		break;
	case FETCH_EV_SOURCE:
		log_info("download: next source %s", ev->msg ? ev->msg : "?");
		break;
	case FETCH_EV_WAIT:
		if (ev->msg)	/* a step of a transport's own (dolly's chain) */
			log_info("%s", ev->msg);
		else
			log_info("download: waiting %u ms before the first request (rd.live.start-delay)", ev->delay_ms);
		break;
	case FETCH_EV_RESUME:
		progress_size(line, sizeof(line), ev->offset);
		log_info("download resumed at %s (byte %llu) with a Range request", line,
			 (unsigned long long)ev->offset);
		break;
	case FETCH_EV_RESTART:
		if (!ev->msg || strstr(ev->msg, "ignored the Range"))
			log_warn("the server ignored the Range request: downloading again from the start");
		else
			log_warn("download: %s: downloading again from the start", ev->msg);
		break;
	case FETCH_EV_WARNING:
		log_warn("download: %s", ev->msg ? ev->msg : "?");
		break;
	case FETCH_EV_DONE:
		progress_summary(line, sizeof(line), ev->bytes, ev->elapsed_ms);
		log_progress(1, "%s", line);
		break;
	}
}

const char *download_hint(int rc, enum dl_place place)
{
	bool reg = place == DL_REGISTRY;

	switch (rc) {
	case -EKEYREJECTED:
		return reg ? "the registry's certificate is not trusted by the CA bundle in the initramfs; add its CA, "
			     "or bootc.registry.unsecure" :
			     "the server's certificate is not trusted by the CA bundle in the initramfs; add its CA, "
			     "or rd.noverifyssl to skip verification";
	case -EFBIG:
		return place == DL_DISK ? "name a bigger disk in rd.kiwi.live.system=, or use a smaller image" :
					  "give the machine more RAM, lower rd.minmem=, or use a smaller image";
	case -ENOSPC:
		return "give the machine more RAM";
	case -EBADMSG:
		return reg ? "the registry served other bytes than the manifest names" :
			     "the image on the server is not the one expected: check rd.live.sha256= and the file";
	case -EACCES:
		if (reg)
			return "put the registry's credentials in " OCI_AUTH_FILE " (see docs/oci.md)";
		return "check the URL and the server's files";
	case -ENOENT:
		return reg ? "check the repository and tag or digest" : "check the URL and the server's files";
	case -EPERM:
		return "the image is hostile or broken: a layer writes outside its root";
	case -ENAMETOOLONG:
		return "the image is hostile or broken: a layer path is over the limits docs/oci.md gives";
	case -EINVAL:
		if (reg)
			return "fix the line in " OCI_MIRRORS_FILE " (format in docs/oci.md)";
		break;
	}
	return reg ? "check that the registry is up and reachable; rd.retry= sets how long to keep trying" :
		     "check that the server is up and reachable; rd.retry= sets how long to keep trying";
}

int ram_tmpfs(const struct ram_tmpfs *r, uint64_t *cap, struct stage_err *e)
{
	uint64_t avail = 0, reserve = (uint64_t)r->minmem_mib << 20;
	char all[1024], why[1200];
	int rc;

	rc = fetch_mem_available(&avail);
	if (rc < 0)
		return stage_fail(e, rc, r->stage, "/proc/meminfo", "cannot read MemAvailable", NULL);
	if (avail <= reserve + r->min_room) {
		snprintf(why, sizeof(why), "only %llu MiB of RAM available, rd.minmem keeps %u MiB free",
			 (unsigned long long)(avail >> 20), r->minmem_mib);
		return stage_fail(e, -ENOMEM, r->stage, r->what, why, "give the machine more RAM or lower rd.minmem=");
	}
	*cap = avail - reserve;
	snprintf(all, sizeof(all), "%s,size=%llu%s%s", r->opts, (unsigned long long)*cap, r->flags[0] ? "," : "",
		 r->flags);
	mkdir_p(r->dir, 0755);
	if (mount("tmpfs", r->dir, "tmpfs", r->mflags, all) < 0) {
		rc = -errno;
		snprintf(why, sizeof(why), "mount a tmpfs (%s) on %s: %s", all, r->dir, strerror(-rc));
		return stage_fail(e, rc, r->stage, r->what, why, r->flags[0] ? "check rootflags=" : NULL);
	}
	return 0;
}

/* root=live:torrent://: the BitTorrent transport into sink at offsets (fetch/torrent.h);
 * st gets what the callers read (bytes, attempts, the digest). With rd.live.torrent.seed the
 * seeder is forked once the image is verified, reading t->path through a read-only fd. */
static int download_torrent(const char *url, const struct fetch_opts *opts, const struct dl_target *t,
			    struct fetch_sink *sink, struct fetch_stats *st, char *err, size_t errlen)
{
	struct torrent_opts to;
	struct torrent_stats ts;
	char peers[32], ws[32], up[32];
	int rc;

	torrent_opts_init(&to);
	if (t->seed_s || t->seed_pct) {
		to.seed_spawn = true;
		to.seed_s = t->seed_s;
		to.seed_ratio_pct = t->seed_pct;
		to.seed_base = t->base;
		to.seed_ev = log_event;
		to.seed_ev_ctx = "torrent seeder";
		to.seed_fd = open(t->path, O_RDONLY | O_CLOEXEC);
		if (to.seed_fd < 0)
			log_warn("torrent: no seeding after boot: open %s read-only: %s", t->path, strerror(errno));
	}
	log_info("%s: BitTorrent metainfo; pieces from peers and web seeds", url);
	rc = torrent_fetch(opts, &to, url, sink, download_event, (void *)url, &ts, err, errlen);
	if (to.seed_fd >= 0)
		close(to.seed_fd);	/* the seeder has its own */
	memset(st, 0, sizeof(*st));
	if (rc < 0)
		return rc;
	st->bytes = ts.length;
	st->elapsed_ms = ts.elapsed_ms;
	st->attempts = 1;
	memcpy(st->sha256, ts.sha256, sizeof(st->sha256));
	progress_size(peers, sizeof(peers), ts.from_peers);
	progress_size(ws, sizeof(ws), ts.from_webseed);
	progress_size(up, sizeof(up), ts.uploaded);
	log_info("torrent %s: %s from peers, %s from web seeds, %s served to peers; %u bad pieces, %u peers banned%s",
		 ts.name, peers, ws, up, ts.bad_pieces, ts.banned, ts.lsd_peers ? "; peers found by LSD" : "");
	if (ts.seed_pid > 0) {
		char lim[80] = "";

		if (t->seed_s)
			snprintf(lim, sizeof(lim), "%u s", t->seed_s);
		if (t->seed_pct)
			snprintf(lim + strlen(lim), sizeof(lim) - strlen(lim), "%sratio %u.%02u", t->seed_s ? " or " : "",
				 t->seed_pct / 100, t->seed_pct % 100);
		log_info("torrent %s: seeder netinit-seed running (pid %d, port %u) from %s, read-only, for %s or "
			 "until shutdown (rd.live.torrent.seed)", ts.name, ts.seed_pid, ts.port, t->path, lim);
	} else if (to.seed_spawn && ts.seed_pid < 0) {
		log_warn("torrent %s: no seeding after boot: starting the seeder: %s", ts.name, strerror(-ts.seed_pid));
	}
	return 0;
}

int download_to(const struct fetch_opts *o, const struct dl_target *t, uint64_t *written, struct fetch_stats *stp,
		struct stage_err *e)
{
	struct fetch_sink sink;
	struct sink_fd fd;
	struct fetch_stats st;
	enum sink_codec codec = o->decompress && !t->torrent ? sink_codec_for_url(o->url) : SINK_CODEC_NONE;
	uint64_t avail = 0;
	char err[1024];
	int rc;

	rc = sink_fd_open(&fd, t->path, &sink, err, sizeof(err));
	if (rc < 0)
		return stage_fail(e, rc, t->stage, t->path, err,
				  t->place == DL_DISK ? "rd.kiwi.live.system= must name a writable disk" :
				  t->place == DL_RAMDISK ? "ramdisk_size= needs the brd module (it is in the default initramfs)" :
				  NULL);
	if (t->base && (rc = sink_fd_set_base(&fd, t->base)) < 0) {
		snprintf(err, sizeof(err), "leave %llu bytes for a header in front: %s", (unsigned long long)t->base,
			 strerror(-rc));
		sink_fd_close(&fd);
		return stage_fail(e, rc, t->stage, t->path, err, NULL);
	}
	if (sink.capacity > t->tail)
		sink.capacity -= t->tail;
	if (t->place == DL_RAM) {
		/* the image and what else lives in RAM share it: refuse early what cannot fit */
		fetch_mem_available(&avail);
		sink.mem_avail = avail;
		sink.mem_reserve = (uint64_t)t->minmem_mib << 20;
		sink.what = "RAM";
	}
	if (codec != SINK_CODEC_NONE)
		log_info("%s: decompressing %s while downloading", o->url, sink_codec_name(codec));
	if (t->torrent)
		rc = download_torrent(o->url, o, t, &sink, &st, err, sizeof(err));
	else if (t->dolly)
		rc = dolly_fetch(t->dolly, o, o->url, &sink, download_event, (void *)o->url, &st, err, sizeof(err));
	else
		rc = fetch_url(o, &sink, download_event, (void *)o->url, &st, err, sizeof(err));
	if (rc < 0) {
		sink_fd_close(&fd);
		/* every dolly failure but a full sink or a wrong image: its line says which step */
		return stage_fail(e, rc, t->stage, o->url, err, t->dolly && rc != -EFBIG && rc != -EBADMSG ?
				  "start the dolly server after the machines listen (or raise rd.retry=); its host list "
				  "must name this machine, and -P must match on every host" : download_hint(rc, t->place));
	}
	if (written)
		*written = fd.written;
	rc = sink_fd_close(&fd);
	if (rc < 0)
		return stage_fail(e, rc, t->stage, t->path, strerror(-rc), NULL);
	log_info("image at %s after %u attempt%s%s", t->path, st.attempts, st.attempts == 1 ? "" : "s",
		 o->sum.set ? ", sha256 verified" : "");
	if (st.nsrc > 1) {	/* rd.live.mirror: who served what */
		char served[1024] = "", size[32];
		size_t n = 0;

		for (unsigned i = 0; i < st.nsrc && n < sizeof(served); i++) {
			if (!st.src_bytes[i])
				continue;
			progress_size(size, sizeof(size), st.src_bytes[i]);
			n += (size_t)snprintf(served + n, sizeof(served) - n, "%s%.300s (%s)", n ? ", " : "",
					      fetch_source(o, i), size);
		}
		log_info("image served by %s", served);
	}
	if (stp)
		*stp = st;
	return 0;
}
