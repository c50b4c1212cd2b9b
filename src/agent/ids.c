/*
 * ids: the intrusion detection module (see ids.h). The log is followed on
 * a timer: new bytes are read, split into lines and parsed; a rotated file
 * (new inode) is read to its end before the new one is opened, and the
 * position is saved so a restart resumes exactly where it stopped. Hosts
 * without a syslog file (Debian 12 installs no rsyslog by default) are
 * followed through the journal: `journalctl -f` for sshd, resuming from a
 * cursor file.
 */
#include "ids.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "module.h"

extern char **environ;

#define MAX_SOURCES 4096
#define MAX_KNOWN 64
#define READ_CHUNK (64 * 1024)

struct source {
	char ip[64];
	int64_t *fails;		/* arrival times (ms) inside the window */
	size_t nfails, capfails;
	int64_t last;		/* last failure (ms) */
	int64_t total;		/* failures in this episode */
	int64_t pending;	/* failures after the report, not yet reported */
	bool reported;
	char users[160];	/* a few of the user names tried */
};

struct ids {
	struct agent_ctx *ctx;
	struct event *tick;
	char path[512];		/* the log followed */
	char statefile[600], knownfile[600];
	int fd;
	ino_t ino;
	int64_t offset;
	char partial[4096];
	size_t npartial;
	long long threshold, window_s, block_s;
	bool active;
	char allow[1024];
	char nft[256];
	char journalctl[256];
	pid_t jpid;		/* journalctl -f, when following the journal */
	int jfd;
	struct source *src;
	size_t nsrc;
	json_t *known;		/* user -> [sources] */
	bool dirty;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct source *
source_of(struct ids *m, const char *ip, bool create)
{
	struct source *oldest = NULL;

	for (size_t i = 0; i < m->nsrc; i++) {
		if (strcmp(m->src[i].ip, ip) == 0)
			return &m->src[i];
		if (oldest == NULL || m->src[i].last < oldest->last)
			oldest = &m->src[i];
	}
	if (!create)
		return NULL;
	if (m->nsrc < MAX_SOURCES) {
		oldest = &m->src[m->nsrc++];
	} else {
		free(oldest->fails);
	}
	memset(oldest, 0, sizeof(*oldest));
	snprintf(oldest->ip, sizeof(oldest->ip), "%s", ip);
	return oldest;
}

/* Run argv without a shell; 0 when it exited 0. */
static int
run(char *const argv[])
{
	pid_t pid;
	int status;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int
nft_setup(struct ids *m)
{
	char path[640];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/ids.nft", m->ctx->paths->dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "add table inet yunshou\nflush table inet yunshou\n"
	    "table inet yunshou {\n"
	    "  set block4 { type ipv4_addr; flags timeout; }\n"
	    "  set block6 { type ipv6_addr; flags timeout; }\n"
	    "  chain input {\n"
	    "    type filter hook input priority -10; policy accept;\n"
	    "    ip saddr @block4 drop\n"
	    "    ip6 saddr @block6 drop\n"
	    "  }\n"
	    "}\n");
	fclose(f);
	{
		char *argv[] = { m->nft, "-f", path, NULL };

		rc = run(argv);
	}
	unlink(path);
	return rc;
}

static void
block(struct ids *m, const char *ip)
{
	char elem[160];
	const char *result = "blocked";
	char *argv[] = { m->nft, "add", "element", "inet", "yunshou",
		strchr(ip, ':') ? "block6" : "block4", elem, NULL };

	if (ids_allowed(m->allow, ip)) {
		result = "allow-listed";
	} else {
		snprintf(elem, sizeof(elem), "{ %s timeout %llds }", ip, m->block_s);
		if (run(argv) < 0)
			result = "failed";
	}
	agent_emit(m->ctx, "ids", "ids.blocked", json_pack("{s:s, s:s, s:I, s:s, s:s}",
	    "key", ip, "source", ip, "seconds", (json_int_t)m->block_s, "result", result,
	    "severity", strcmp(result, "blocked") == 0 ? "medium" : "low"));
}

static void
on_failed(struct ids *m, const struct ids_auth *a, int64_t t)
{
	struct source *s = source_of(m, a->source, true);
	size_t keep = 0;

	/* Drop failures that fell out of the window. */
	for (size_t i = 0; i < s->nfails; i++)
		if (s->fails[i] > t - m->window_s * 1000)
			s->fails[keep++] = s->fails[i];
	s->nfails = keep;
	if (s->reported && t - s->last > m->window_s * 1000) {
		s->reported = false;	/* a new episode */
		s->total = 0;
	}
	if (s->nfails == s->capfails) {
		size_t cap = s->capfails ? s->capfails * 2 : 8;
		int64_t *n = realloc(s->fails, cap * sizeof(*n));

		if (n == NULL)
			return;
		s->fails = n;
		s->capfails = cap;
	}
	s->fails[s->nfails++] = t;
	s->last = t;
	s->total++;
	if (strlen(s->users) + strlen(a->user) + 2 < sizeof(s->users) &&
	    strstr(s->users, a->user) == NULL) {
		if (s->users[0])
			strcat(s->users, ",");
		strcat(s->users, a->user);
	}
	if (s->reported) {
		s->pending++;
		return;
	}
	if ((long long)s->nfails >= m->threshold) {
		s->reported = true;
		agent_emit(m->ctx, "ids", "ids.brute_force", json_pack("{s:s, s:s, s:I, s:s, s:I, s:s}",
		    "key", s->ip, "source", s->ip, "count", (json_int_t)s->total, "users", s->users,
		    "window_seconds", (json_int_t)m->window_s, "severity", "high"));
		if (m->active)
			block(m, s->ip);
	}
}

static void
on_accepted(struct ids *m, const struct ids_auth *a)
{
	struct source *s = source_of(m, a->source, false);
	json_t *list = json_object_get(m->known, a->user), *v;
	bool seen = false;
	size_t i;

	if (s && (s->reported || (long long)s->nfails >= m->threshold))
		agent_emit(m->ctx, "ids", "ids.login_after_failures",
		    json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "key", s->ip, "source", s->ip,
		    "user", a->user, "method", a->method, "failures", (json_int_t)s->total,
		    "severity", "critical"));
	json_array_foreach(list, i, v)
		if (strcmp(json_string_value(v), a->source) == 0)
			seen = true;
	if (seen)
		return;
	if (json_array_size(list) > 0)
		agent_emit(m->ctx, "ids", "ids.new_source", json_pack("{s:s, s:s, s:s, s:s, s:s}",
		    "key", a->user, "user", a->user, "source", a->source, "method", a->method,
		    "severity", "medium"));
	if (list == NULL) {
		list = json_array();
		json_object_set_new(m->known, a->user, list);
	}
	if (json_array_size(list) >= MAX_KNOWN)
		json_array_remove(list, 0);
	json_array_append_new(list, json_string(a->source));
	m->dirty = true;
}

static void
handle_line(struct ids *m, const char *line, size_t len)
{
	struct ids_auth a;

	switch (ids_parse_line(line, len, &a)) {
	case IDS_FAILED:
		on_failed(m, &a, now_ms());
		break;
	case IDS_ACCEPTED:
		on_accepted(m, &a);
		break;
	default:
		break;
	}
}

static void
consume(struct ids *m, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			handle_line(m, m->partial, m->npartial);
			m->npartial = 0;
		} else if (m->npartial < sizeof(m->partial)) {
			m->partial[m->npartial++] = buf[i];
		}
	}
}

static void
read_to_end(struct ids *m)
{
	char *buf = malloc(READ_CHUNK);
	ssize_t n;

	if (buf == NULL)
		return;
	while ((n = pread(m->fd, buf, READ_CHUNK, m->offset)) > 0) {
		consume(m, buf, (size_t)n);
		m->offset += n;
		m->dirty = true;
	}
	free(buf);
}

static void
save_state(struct ids *m)
{
	json_t *o = json_pack("{s:s, s:I, s:I}", "path", m->path, "inode", (json_int_t)m->ino,
	    "offset", (json_int_t)m->offset);
	char tmp[640];

	snprintf(tmp, sizeof(tmp), "%s.tmp", m->statefile);
	if (o && json_dump_file(o, tmp, JSON_COMPACT) == 0)
		rename(tmp, m->statefile);
	json_decref(o);
	snprintf(tmp, sizeof(tmp), "%s.tmp", m->knownfile);
	if (json_dump_file(m->known, tmp, JSON_COMPACT) == 0)
		rename(tmp, m->knownfile);
	m->dirty = false;
}

/* (Re)open the log; at the first start read only what comes next. */
static void
open_log(struct ids *m, bool resume)
{
	struct stat st;
	json_t *saved = NULL;

	if (m->fd >= 0)
		close(m->fd);
	m->fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0 || fstat(m->fd, &st) < 0) {
		if (m->fd >= 0)
			close(m->fd);
		m->fd = -1;
		return;
	}
	m->ino = st.st_ino;
	m->offset = 0;
	if (resume) {
		saved = json_load_file(m->statefile, 0, NULL);
		if (saved && strcmp(json_string_value(json_object_get(saved, "path")) ?: "",
		    m->path) == 0 && (ino_t)json_integer_value(json_object_get(saved, "inode")) ==
		    st.st_ino && json_integer_value(json_object_get(saved, "offset")) <= st.st_size)
			m->offset = json_integer_value(json_object_get(saved, "offset"));
		else
			m->offset = st.st_size;
		json_decref(saved);
	}
}

/* Follow sshd in the journal, from where the last run stopped. */
static int
journal_start(struct ids *m)
{
	char cursor[640], arg[700];
	int p[2];
	posix_spawn_file_actions_t fa;
	char *argv[] = { m->journalctl, "-f", "-q", "-o", "short-iso", "--no-pager", "-n", "0",
		arg, "_COMM=sshd", NULL };

	snprintf(cursor, sizeof(cursor), "%s/ids.cursor", m->ctx->paths->dir);
	snprintf(arg, sizeof(arg), "--cursor-file=%s", cursor);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	if (posix_spawn(&m->jpid, m->journalctl, &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		m->jpid = 0;
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	m->jfd = p[0];
	fcntl(m->jfd, F_SETFL, O_NONBLOCK);
	return 0;
}

static void
journal_read(struct ids *m)
{
	char buf[READ_CHUNK];
	ssize_t n;

	while ((n = read(m->jfd, buf, sizeof(buf))) > 0)
		consume(m, buf, (size_t)n);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct ids *m = arg;
	struct stat st;

	(void)fd;
	(void)what;
	if (m->jfd >= 0)
		journal_read(m);
	else if (m->fd < 0)
		open_log(m, false);
	if (m->fd >= 0) {
		read_to_end(m);
		/* Rotated (new file) or truncated: finish the old one, then
		 * start the new one from its beginning. */
		if (stat(m->path, &st) == 0 && (st.st_ino != m->ino || st.st_size < m->offset)) {
			read_to_end(m);
			open_log(m, false);
			read_to_end(m);
		}
	}
	/* Further failures of reported sources, in one event per source. */
	for (size_t i = 0; i < m->nsrc; i++) {
		struct source *s = &m->src[i];

		if (s->pending > 0) {
			agent_emit(m->ctx, "ids", "ids.brute_force", json_pack("{s:s, s:s, s:I, s:s, s:I,"
			    " s:s}", "key", s->ip, "source", s->ip, "count", (json_int_t)s->pending,
			    "users", s->users, "window_seconds", (json_int_t)m->window_s,
			    "severity", "high"));
			s->pending = 0;
		}
	}
	agent_flush(m->ctx);
	if (m->dirty)
		save_state(m);
}

int
ids_start(struct agent_ctx *ctx, const json_t *policy, void **state)
{
	struct ids *m = calloc(1, sizeof(*m));
	struct timeval every = { 0, 500 * 1000 };
	json_t *files = json_object_get(policy, "files"), *f;
	const char *allow = json_string_value(json_object_get(policy, "allow_list"));
	const char *nft = getenv("YUNSHOU_NFT");
	size_t i;

	if (m == NULL)
		return -1;
	m->ctx = ctx;
	m->fd = -1;
	m->jfd = -1;
	m->src = calloc(MAX_SOURCES, sizeof(*m->src));
	m->threshold = json_integer_value(json_object_get(policy, "brute_force_failures"));
	m->window_s = json_integer_value(json_object_get(policy, "brute_force_seconds"));
	m->block_s = json_integer_value(json_object_get(policy, "block_seconds"));
	m->active = json_is_true(json_object_get(policy, "active_response"));
	if (m->threshold <= 0)
		m->threshold = 5;
	if (m->window_s <= 0)
		m->window_s = 60;
	if (m->block_s <= 0)
		m->block_s = 600;
	snprintf(m->allow, sizeof(m->allow), "%s", allow ? allow : "127.0.0.1,::1");
	/* The programs run as root come from the host, not from the policy. */
	snprintf(m->nft, sizeof(m->nft), "%s", nft && *nft ? nft : "/usr/sbin/nft");
	snprintf(m->journalctl, sizeof(m->journalctl), "%s",
	    getenv("YUNSHOU_JOURNALCTL") && *getenv("YUNSHOU_JOURNALCTL") ?
	    getenv("YUNSHOU_JOURNALCTL") : "/usr/bin/journalctl");
	snprintf(m->statefile, sizeof(m->statefile), "%s/ids.state", ctx->paths->dir);
	snprintf(m->knownfile, sizeof(m->knownfile), "%s/ids.known", ctx->paths->dir);
	/* The first log that exists: Debian/Ubuntu, then RHEL. */
	if (!json_is_array(files) || json_array_size(files) == 0)
		files = NULL;
	if (files) {
		json_array_foreach(files, i, f) {
			if (json_is_string(f) && access(json_string_value(f), R_OK) == 0) {
				snprintf(m->path, sizeof(m->path), "%s", json_string_value(f));
				break;
			}
		}
	} else if (access("/var/log/auth.log", R_OK) == 0) {
		snprintf(m->path, sizeof(m->path), "/var/log/auth.log");
	} else {
		snprintf(m->path, sizeof(m->path), "/var/log/secure");
	}
	if (m->path[0] == '\0' && files)
		snprintf(m->path, sizeof(m->path), "%s", json_string_value(json_array_get(files, 0)));
	m->known = json_load_file(m->knownfile, 0, NULL);
	if (!json_is_object(m->known)) {
		json_decref(m->known);
		m->known = json_object();
	}
	if (m->src == NULL || m->known == NULL)
		goto fail;
	if (m->active && nft_setup(m) < 0) {
		log_err("ids: cannot set up the nftables block set with %s; active response is off",
		    m->nft);
		m->active = false;
		agent_module_status(ctx, "ids", "running (active response failed)");
	}
	/* No readable log file: the journal, unless the policy says not to. */
	if (access(m->path, R_OK) != 0 && !json_is_false(json_object_get(policy, "journal")) &&
	    access(m->journalctl, X_OK) == 0 && journal_start(m) == 0)
		snprintf(m->path, sizeof(m->path), "journal");
	else
		open_log(m, true);
	m->tick = event_new(ctx->base, -1, EV_PERSIST, on_tick, m);
	if (m->tick == NULL || event_add(m->tick, &every) < 0)
		goto fail;
	*state = m;
	log_info("ids: following %s%s", m->path, m->active ? " with active response" : "");
	return 0;
fail:
	ids_stop(ctx, m);
	return -1;
}

void
ids_stop(struct agent_ctx *ctx, void *state)
{
	struct ids *m = state;

	(void)ctx;
	if (m == NULL)
		return;
	if (m->tick) {
		event_free(m->tick);
		if (m->dirty)
			save_state(m);
	}
	if (m->fd >= 0)
		close(m->fd);
	if (m->jpid > 0) {
		/* journalctl writes its cursor file when it ends. */
		kill(m->jpid, SIGTERM);
		waitpid(m->jpid, NULL, 0);
	}
	if (m->jfd >= 0)
		close(m->jfd);
	for (size_t i = 0; m->src && i < m->nsrc; i++)
		free(m->src[i].fails);
	free(m->src);
	json_decref(m->known);
	free(m);
}
