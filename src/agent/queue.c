/*
 * queue: one append-only log of records
 *   magic "YSQ1" | u32 length | u64 seq | u64 check | data
 * (big-endian; check = first 8 bytes of SHA-256 over seq and data), plus a
 * small "acked" file holding the highest acknowledged seq. Offsets in
 * memory: synced (fsync'd up to here) and head (first unacknowledged
 * record). Everything is under one mutex: modules append from the main
 * thread while the sender thread peeks and acknowledges.
 */
#include "queue.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "log.h"

#define MAGIC 0x59535131u	/* "YSQ1" */
#define HDR 24
#define MAX_RECORD (1024 * 1024)
#define COMPACT_AT (4 * 1024 * 1024)

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t synced_cv;	/* signalled when records become sendable */
	char dir[512];
	int fd;
	uint64_t size, synced, head;
	uint64_t last_seq, acked_seq, pending;
	uint64_t max_bytes;
};

static void
put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (24 - 8 * i));
}

static void
put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
}

static uint64_t
get(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static uint64_t
check_of(uint64_t seq, const void *data, size_t len)
{
	unsigned char buf[8], md[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n;

	put64(buf, seq);
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, buf, 8) != 1 || EVP_DigestUpdate(ctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &n) != 1)
		memset(md, 0, sizeof(md));
	EVP_MD_CTX_free(ctx);
	return get(md, 8);
}

#define TORN (-1)
/* Read the record at off. Returns its total size, 0 at a clean end, TORN
 * for a record cut short (a crash during its write: only ever the last).
 * A complete record whose check fails (damaged on disk) returns
 * -(size) - 1, so that the caller can step over it.
 * data (optional) gets a malloc'd copy. */
static int64_t
read_record(int fd, uint64_t off, uint64_t end, uint64_t *seq, char **data, size_t *len)
{
	unsigned char h[HDR];
	uint32_t n;
	char *buf;

	if (off == end)
		return 0;
	if (end - off < HDR || pread(fd, h, HDR, (off_t)off) != HDR || get(h, 4) != MAGIC)
		return TORN;
	n = (uint32_t)get(h + 4, 4);
	if (n > MAX_RECORD || end - off - HDR < n)
		return TORN;
	if ((buf = malloc((size_t)n + 1)) == NULL)
		return TORN;
	if (pread(fd, buf, n, (off_t)(off + HDR)) != (ssize_t)n) {
		free(buf);
		return TORN;
	}
	if (check_of(get(h + 8, 8), buf, n) != get(h + 16, 8)) {
		free(buf);
		*seq = get(h + 8, 8);
		return -(int64_t)(HDR + n) - 1;
	}
	buf[n] = '\0';
	*seq = get(h + 8, 8);
	if (len)
		*len = n;
	if (data)
		*data = buf;
	else
		free(buf);
	return HDR + (int64_t)n;
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
write_acked(struct queue *q, uint64_t seq)
{
	char path[600], tmp[600], text[32];
	int fd, n = snprintf(text, sizeof(text), "%" PRIu64 "\n", seq);

	snprintf(path, sizeof(path), "%s/acked", q->dir);
	snprintf(tmp, sizeof(tmp), "%s/acked.tmp", q->dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, (size_t)n) != n || fsync(fd) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0)
		return -1;
	return fsync_dir(q->dir);
}

static uint64_t
read_acked(const char *dir)
{
	char path[600], text[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/acked", dir);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(text, sizeof(text), f) == NULL)
		text[0] = '\0';
	fclose(f);
	return strtoull(text, NULL, 10);
}

int
queue_open(const char *dir, uint64_t max_bytes, struct queue **out, char *err, size_t errlen)
{
	struct queue *q = calloc(1, sizeof(*q));
	char path[600];
	struct stat st;
	uint64_t off = 0, seq;
	int64_t n;

	if (q == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->synced_cv, NULL);
	snprintf(q->dir, sizeof(q->dir), "%s", dir);
	q->max_bytes = max_bytes;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->synced_cv);
		free(q);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/events.log", dir);
	q->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (q->fd < 0 || fstat(q->fd, &st) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		if (q->fd >= 0)
			close(q->fd);
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->synced_cv);
		free(q);
		return -1;
	}
	q->acked_seq = read_acked(dir);
	q->last_seq = q->acked_seq;
	q->head = UINT64_MAX;
	while ((n = read_record(q->fd, off, (uint64_t)st.st_size, &seq, NULL, NULL)) != 0 &&
	    n != TORN) {
		if (n < 0) {
			/* Damaged in place: its seq stays used, its data is lost;
			 * say so, and keep every record after it. */
			log_err("queue: record at offset %" PRIu64 " of %s is damaged; skipping it",
			    off, path);
			off += (uint64_t)(-n - 1);
			continue;
		}
		if (seq > q->last_seq)
			q->last_seq = seq;
		if (seq > q->acked_seq) {
			q->pending++;
			if (q->head == UINT64_MAX)
				q->head = off;
		}
		off += (uint64_t)n;
	}
	if (n == TORN) {
		log_warn("queue: cutting a torn record at offset %" PRIu64 " of %s", off, path);
		if (ftruncate(q->fd, (off_t)off) < 0 || fsync(q->fd) < 0) {
			snprintf(err, errlen, "cannot repair %s: %s", path, strerror(errno));
			queue_close(q);
			return -1;
		}
	}
	q->size = q->synced = off;
	if (q->head == UINT64_MAX)
		q->head = off;
	*out = q;
	return 0;
}

void
queue_close(struct queue *q)
{
	if (q == NULL)
		return;
	if (q->fd >= 0) {
		fsync(q->fd);
		close(q->fd);
	}
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->synced_cv);
	free(q);
}

uint64_t
queue_append(struct queue *q, const char *data, size_t len)
{
	unsigned char h[HDR];
	uint64_t seq;

	if (len > MAX_RECORD)
		return QUEUE_ERROR;
	pthread_mutex_lock(&q->lock);
	if (q->size - q->head + HDR + len > q->max_bytes) {
		pthread_mutex_unlock(&q->lock);
		return QUEUE_FULL;
	}
	seq = q->last_seq + 1;
	put32(h, MAGIC);
	put32(h + 4, (uint32_t)len);
	put64(h + 8, seq);
	put64(h + 16, check_of(seq, data, len));
	if (pwrite(q->fd, h, HDR, (off_t)q->size) != HDR ||
	    pwrite(q->fd, data, len, (off_t)(q->size + HDR)) != (ssize_t)len) {
		/* Leave no half record behind for the next append to follow. */
		if (ftruncate(q->fd, (off_t)q->size) < 0)
			log_err("queue: cannot undo a failed append: %s", strerror(errno));
		pthread_mutex_unlock(&q->lock);
		return QUEUE_ERROR;
	}
	q->size += HDR + len;
	q->last_seq = seq;
	q->pending++;
	pthread_mutex_unlock(&q->lock);
	return seq;
}

int
queue_sync(struct queue *q)
{
	uint64_t size;
	int rc;

	pthread_mutex_lock(&q->lock);
	size = q->size;
	rc = fdatasync(q->fd);
	if (rc == 0) {
		q->synced = size;
		pthread_cond_broadcast(&q->synced_cv);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

bool
queue_wait(struct queue *q, int timeout_ms)
{
	struct timespec ts;
	bool ready;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&q->lock);
	while (q->synced <= q->head &&
	    pthread_cond_timedwait(&q->synced_cv, &q->lock, &ts) == 0)
		;
	ready = q->synced > q->head;
	pthread_mutex_unlock(&q->lock);
	return ready;
}

size_t
queue_peek(struct queue *q, struct queue_record *out, size_t max)
{
	uint64_t off;
	size_t n = 0;
	int64_t r;

	pthread_mutex_lock(&q->lock);
	off = q->head;
	while (n < max && (r = read_record(q->fd, off, q->synced, &out[n].seq, &out[n].data,
	    &out[n].len)) != 0 && r != TORN) {
		if (r < 0) {
			off += (uint64_t)(-r - 1);
			continue;
		}
		off += (uint64_t)r;
		if (out[n].seq <= q->acked_seq) {
			free(out[n].data);
			continue;
		}
		n++;
	}
	pthread_mutex_unlock(&q->lock);
	return n;
}

void
queue_records_free(struct queue_record *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].data);
		r[i].data = NULL;
	}
}

/* Rewrite the unacknowledged tail into a fresh log. Lock held. */
static int
compact(struct queue *q)
{
	char path[600], tmp[600];
	size_t len = (size_t)(q->size - q->head);
	char *buf = malloc(len ? len : 1);
	int fd;

	snprintf(path, sizeof(path), "%s/events.log", q->dir);
	snprintf(tmp, sizeof(tmp), "%s/events.log.tmp", q->dir);
	if (buf == NULL)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || pread(q->fd, buf, len, (off_t)q->head) != (ssize_t)len ||
	    write(fd, buf, len) != (ssize_t)len || fsync(fd) < 0 || rename(tmp, path) < 0 ||
	    fsync_dir(q->dir) < 0) {
		if (fd >= 0)
			close(fd);
		free(buf);
		unlink(tmp);
		return -1;
	}
	free(buf);
	close(q->fd);
	q->fd = open(path, O_RDWR | O_CLOEXEC);
	if (q->fd < 0)
		return -1;
	q->synced = q->synced - q->head;
	q->size = len;
	q->head = 0;
	return 0;
}

int
queue_ack(struct queue *q, uint64_t seq)
{
	uint64_t off, s;
	int64_t r;
	int rc = 0;

	pthread_mutex_lock(&q->lock);
	if (seq <= q->acked_seq || seq > q->last_seq) {
		pthread_mutex_unlock(&q->lock);
		return seq <= q->acked_seq ? 0 : -1;
	}
	if (write_acked(q, seq) < 0) {
		pthread_mutex_unlock(&q->lock);
		return -1;
	}
	off = q->head;
	while ((r = read_record(q->fd, off, q->synced, &s, NULL, NULL)) != 0 && r != TORN &&
	    s <= seq) {
		off += (uint64_t)(r < 0 ? -r - 1 : r);
		if (r > 0)
			q->pending--;
	}
	q->head = off;
	q->acked_seq = seq;
	if (q->head == q->size) {
		/* Everything acknowledged: start the log afresh. */
		if (ftruncate(q->fd, 0) == 0) {
			q->size = q->synced = q->head = 0;
		}
	} else if (q->head >= COMPACT_AT && q->head * 2 >= q->size) {
		rc = compact(q);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

/* One field read under the lock. */
static uint64_t
locked(struct queue *q, const uint64_t *field)
{
	uint64_t v;

	pthread_mutex_lock(&q->lock);
	v = *field;
	pthread_mutex_unlock(&q->lock);
	return v;
}

uint64_t
queue_pending(struct queue *q)
{
	return locked(q, &q->pending);
}

uint64_t
queue_last_seq(struct queue *q)
{
	return locked(q, &q->last_seq);
}

uint64_t
queue_acked_seq(struct queue *q)
{
	return locked(q, &q->acked_seq);
}
