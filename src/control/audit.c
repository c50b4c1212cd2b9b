/*
 * audit: hash chain and signed checkpoints over audit_log. The hashed form
 * of an entry is a fixed binary encoding (domain tag, previous hash, then
 * every field as a 64-bit big-endian integer or a length-prefixed string),
 * so no two different entries can encode alike.
 */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "log.h"

#define HASH_LEN 32
static const char CHAIN_TAG[] = "yunshou-audit-v1";
static const char CHECKPOINT_TAG[] = "yunshou-audit-checkpoint-v1";

const char AUDIT_CSV_HEADER[] =
    "seq,time,actor,actor_id,tenant_id,source,action,target,result,detail,hash\r\n";

static EVP_PKEY *audit_key;
static int64_t audit_every = 1000;

void
audit_configure(EVP_PKEY *key, int64_t checkpoint_every)
{
	audit_key = key;
	audit_set_interval(checkpoint_every);
}

void
audit_set_interval(int64_t checkpoint_every)
{
	audit_every = checkpoint_every > 0 ? checkpoint_every : 1000;
}

/* The next multiple of the interval after seq. */
static int64_t
next_due(int64_t seq)
{
	return (seq / audit_every + 1) * audit_every;
}

struct enc {
	unsigned char buf[8192];
	size_t n;
	bool overflow;
};

static void
enc_u64(struct enc *e, uint64_t v)
{
	if (e->n + 8 > sizeof(e->buf)) {
		e->overflow = true;
		return;
	}
	for (int i = 7; i >= 0; i--)
		e->buf[e->n++] = (unsigned char)(v >> (i * 8));
}

static void
enc_bytes(struct enc *e, const void *p, size_t len)
{
	if (e->n + len > sizeof(e->buf)) {
		e->overflow = true;
		return;
	}
	memcpy(e->buf + e->n, p, len);
	e->n += len;
}

static void
enc_str(struct enc *e, const char *s)
{
	size_t len = s ? strlen(s) : 0;

	enc_u64(e, s ? len : UINT64_MAX);
	enc_bytes(e, s, len);
}

struct row {
	int64_t seq, time_ms, actor_id, tenant_id;
	const char *actor, *source, *action, *target, *result, *detail;
};

static int
row_hash(EVP_MD_CTX *ctx, const EVP_MD *md, const unsigned char prev[HASH_LEN],
    const struct row *r, unsigned char out[HASH_LEN])
{
	struct enc e = { .n = 0 };
	unsigned int outlen = 0;

	enc_bytes(&e, CHAIN_TAG, sizeof(CHAIN_TAG));
	enc_bytes(&e, prev, HASH_LEN);
	enc_u64(&e, (uint64_t)r->seq);
	enc_u64(&e, (uint64_t)r->time_ms);
	enc_str(&e, r->actor);
	enc_u64(&e, (uint64_t)r->actor_id);
	enc_u64(&e, (uint64_t)r->tenant_id);
	enc_str(&e, r->source);
	enc_str(&e, r->action);
	enc_str(&e, r->target);
	enc_str(&e, r->result);
	enc_str(&e, r->detail);
	if (e.overflow)
		return -1;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1 || EVP_DigestUpdate(ctx, e.buf, e.n) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &outlen) != 1)
		return -1;
	return 0;
}

static void
checkpoint_msg(struct enc *e, int64_t seq, const unsigned char hash[HASH_LEN], int64_t time_ms,
    int64_t due)
{
	e->n = 0;
	enc_bytes(e, CHECKPOINT_TAG, sizeof(CHECKPOINT_TAG));
	enc_u64(e, (uint64_t)seq);
	enc_bytes(e, hash, HASH_LEN);
	enc_u64(e, (uint64_t)time_ms);
	enc_u64(e, (uint64_t)due);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Field limits keep every encoding inside struct enc's buffer. */
static const char *
clip(const char *s, char *buf, size_t bufsz)
{
	size_t n;

	if (s == NULL)
		return "";
	n = strlen(s);
	if (n < bufsz)
		return s;
	/* Cut on a UTF-8 character boundary. */
	n = bufsz - 1;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static int
sign_checkpoint(struct db *db, int64_t seq, const unsigned char hash[HASH_LEN])
{
	unsigned char sig[CRYPTO_ED25519_SIG_LEN];
	struct enc e;
	int64_t t = now_ms(), due = next_due(seq);

	if (audit_key == NULL)
		return 0;
	checkpoint_msg(&e, seq, hash, t, due);
	if (crypto_ed25519_sign(audit_key, e.buf, e.n, sig) < 0)
		return -1;
	if (db_run(db, "INSERT INTO audit_checkpoints (seq, hash, time_ms, signature, next_due) "
	    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING", "lblbl", seq, hash,
	    (size_t)HASH_LEN, t, sig, sizeof(sig), due) < 0)
		return -1;
	return 1;
}

static int64_t
checkpoint_due(struct db *db)
{
	struct db_stmt *st = db_q(db, "SELECT seq, next_due FROM audit_checkpoints"
	    " ORDER BY seq DESC LIMIT 1", "");
	int64_t due = 1;

	if (st && db_step(st) == DB_ROW) {
		int64_t by_interval = next_due(db_col_int(st, 0));

		due = db_col_int(st, 1);
		if (by_interval < due)
			due = by_interval;
	}
	db_done(st);
	return due;
}

int64_t
audit_append(struct db *db, const struct audit_entry *in)
{
	static const unsigned char zero[HASH_LEN];
	unsigned char prev[HASH_LEN], hash[HASH_LEN];
	char b1[256], b2[128], b3[128], b4[256], b5[128], b6[2048];
	bool own_tx = !db_in_tx(db);
	struct db_stmt *st;
	struct row r;
	EVP_MD_CTX *ctx = NULL;
	int rc;

	if (own_tx && db_begin(db) < 0)
		return -1;
	memcpy(prev, zero, HASH_LEN);
	r.seq = 1;
	st = db_q(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", "");
	if (st == NULL)
		goto fail;
	if ((rc = db_step(st)) == DB_ROW) {
		size_t len;
		const void *h = db_col_blob(st, 1, &len);

		r.seq = db_col_int(st, 0) + 1;
		if (len == HASH_LEN)
			memcpy(prev, h, HASH_LEN);
	}
	db_done(st);
	if (rc == DB_ERROR)
		goto fail;
	r.time_ms = in->time_ms ? in->time_ms : now_ms();
	r.actor = clip(in->actor ? in->actor : "-", b1, sizeof(b1));
	r.actor_id = in->actor_id;
	r.tenant_id = in->tenant_id;
	r.source = clip(in->source ? in->source : "-", b2, sizeof(b2));
	r.action = clip(in->action, b3, sizeof(b3));
	r.target = clip(in->target ? in->target : "", b4, sizeof(b4));
	r.result = clip(in->result ? in->result : "ok", b5, sizeof(b5));
	r.detail = clip(in->detail ? in->detail : "", b6, sizeof(b6));
	if ((ctx = EVP_MD_CTX_new()) == NULL || row_hash(ctx, EVP_sha256(), prev, &r, hash) < 0)
		goto fail;
	if (db_run(db, "INSERT INTO audit_log (seq, time_ms, actor, actor_id, tenant_id, source,"
	    " action, target, result, detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "llsLLsssssb", r.seq, r.time_ms, r.actor, r.actor_id, r.tenant_id, r.source, r.action,
	    r.target, r.result, r.detail, hash, (size_t)HASH_LEN) != 1)
		goto fail;
	/* Entry 1 is always signed; then by the seq the last checkpoint
	 * promised, or earlier when the interval has since been shortened. */
	if (audit_key != NULL && r.seq >= checkpoint_due(db) && sign_checkpoint(db, r.seq, hash) < 0)
		goto fail;
	EVP_MD_CTX_free(ctx);
	if (own_tx && db_commit(db) < 0)
		return -1;
	return r.seq;
fail:
	EVP_MD_CTX_free(ctx);
	log_err("audit: cannot append %s: %s", in->action ? in->action : "?", db_errmsg(db));
	if (own_tx)
		db_rollback(db);
	return -1;
}

int
audit_checkpoint(struct db *db)
{
	struct db_stmt *st;
	unsigned char hash[HASH_LEN];
	int64_t seq = 0, last;
	int rc;

	if (db_begin(db) < 0)
		return -1;
	last = db_int(db, 0, "SELECT max(seq) FROM audit_checkpoints", "");
	st = db_q(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", "");
	if (st && db_step(st) == DB_ROW) {
		size_t len;
		const void *h = db_col_blob(st, 1, &len);

		seq = db_col_int(st, 0);
		if (len == HASH_LEN)
			memcpy(hash, h, HASH_LEN);
		else
			seq = 0;
	}
	db_done(st);
	rc = seq > last ? sign_checkpoint(db, seq, hash) : 0;
	if (rc < 0 || db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return rc;
}

static int
bad(struct audit_verify_result *r, int64_t seq, const char *fmt, long long a)
{
	r->ok = false;
	r->first_bad_seq = seq;
	snprintf(r->reason, sizeof(r->reason), fmt, a);
	return 0;
}

int
audit_verify(struct db *db, EVP_PKEY *pub, struct audit_verify_result *r)
{
	unsigned char prev[HASH_LEN] = { 0 }, hash[HASH_LEN];
	struct db_stmt *st, *cp;
	EVP_MD_CTX *ctx;
	const EVP_MD *md;
	int64_t expect = 1, cp_seq = 0, good_cp = 0, due = 1;
	int rc, cprc;

	memset(r, 0, sizeof(*r));
	r->ok = true;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	md = EVP_sha256();
	/* Checkpoints are walked alongside the entries, both by ascending seq. */
	cp = db_q(db, "SELECT seq, hash, time_ms, signature, next_due FROM audit_checkpoints"
	    " ORDER BY seq", "");
	st = db_q(db, "SELECT seq, time_ms, actor, actor_id, tenant_id, source, action, target,"
	    " result, detail, hash FROM audit_log ORDER BY seq", "");
	if (cp == NULL || st == NULL) {
		db_done(cp);
		db_done(st);
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	cprc = db_step(cp);
	if (cprc == DB_ROW)
		cp_seq = db_col_int(cp, 0);
	while ((rc = db_step(st)) == DB_ROW) {
		struct row row;
		size_t len;
		const void *stored;

		row.seq = db_col_int(st, 0);
		row.time_ms = db_col_int(st, 1);
		row.actor = db_col_text(st, 2);
		row.actor_id = db_col_int(st, 3);
		row.tenant_id = db_col_int(st, 4);
		row.source = db_col_text(st, 5);
		row.action = db_col_text(st, 6);
		row.target = db_col_text(st, 7);
		row.result = db_col_text(st, 8);
		row.detail = db_col_text(st, 9);
		stored = db_col_blob(st, 10, &len);
		if (row.seq != expect) {
			bad(r, expect, row.seq > expect ? "entry %lld is missing (deleted)"
			    : "entry %lld is out of order or duplicated", (long long)expect);
			break;
		}
		if (row_hash(ctx, md, prev, &row, hash) < 0) {
			bad(r, row.seq, "entry %lld cannot be encoded", (long long)row.seq);
			break;
		}
		if (len != HASH_LEN || !crypto_ct_equal(stored, hash, HASH_LEN)) {
			bad(r, row.seq, "entry %lld does not match its hash: it was edited, "
			    "inserted or moved", (long long)row.seq);
			break;
		}
		while (cprc == DB_ROW && cp_seq == row.seq) {
			size_t hl, sl;
			const void *ch = db_col_blob(cp, 1, &hl);
			const void *sig = db_col_blob(cp, 3, &sl);
			struct enc e;

			checkpoint_msg(&e, cp_seq, hash, db_col_int(cp, 2), db_col_int(cp, 4));
			if (hl != HASH_LEN || !crypto_ct_equal(ch, hash, HASH_LEN) ||
			    sl != CRYPTO_ED25519_SIG_LEN ||
			    (pub && crypto_ed25519_verify(pub, e.buf, e.n, sig) != 0)) {
				bad(r, good_cp + 1, "signed checkpoint at entry %lld does not match: "
				    "entries after the previous checkpoint were rewritten",
				    (long long)cp_seq);
				snprintf(r->reason + strlen(r->reason),
				    sizeof(r->reason) - strlen(r->reason),
				    " (first entry not covered by a good checkpoint: %lld)",
				    (long long)(good_cp + 1));
				goto out;
			}
			good_cp = cp_seq;
			due = db_col_int(cp, 4);
			r->checkpoints++;
			cprc = db_step(cp);
			if (cprc == DB_ROW)
				cp_seq = db_col_int(cp, 0);
		}
		/* A checkpoint that was due here and is gone: someone removed it,
		 * most likely to hide a rewrite of the entries it covered. */
		if (pub && row.seq >= due) {
			bad(r, good_cp + 1, "the signed checkpoint due at entry %lld is missing: entries "
			    "after the previous good checkpoint may have been rewritten", (long long)due);
			break;
		}
		memcpy(prev, hash, HASH_LEN);
		r->entries++;
		r->head_seq = row.seq;
		expect++;
	}
	if (rc == DB_ERROR) {
		r->ok = false;
		snprintf(r->reason, sizeof(r->reason), "cannot read the audit trail: %s", db_errmsg(db));
	} else if (r->ok && cprc == DB_ROW) {
		/* A checkpoint beyond the last entry: the tail was cut off. */
		bad(r, r->head_seq + 1, "entries from %lld on were deleted (a signed checkpoint "
		    "covers them)", (long long)(r->head_seq + 1));
	} else if (r->ok && cprc == DB_ERROR) {
		r->ok = false;
		snprintf(r->reason, sizeof(r->reason), "cannot read the audit checkpoints");
	}
out:
	if (r->entries > 0)
		crypto_hex(prev, HASH_LEN, r->head_hash);
	db_done(cp);
	db_done(st);
	EVP_MD_CTX_free(ctx);
	return 0;
}

json_t *
audit_verify_json(const struct audit_verify_result *r)
{
	json_t *o = json_pack("{s:b, s:I, s:I, s:I, s:s}", "ok", r->ok,
	    "entries", (json_int_t)r->entries, "checkpoints", (json_int_t)r->checkpoints,
	    "head_seq", (json_int_t)r->head_seq, "head_hash", r->head_hash);

	if (o && !r->ok) {
		json_object_set_new(o, "first_bad_seq", json_integer(r->first_bad_seq));
		json_object_set_new(o, "reason", json_string(r->reason));
	}
	return o;
}

static void
csv_cell(char **buf, size_t *len, size_t *cap, const char *s, bool last)
{
	/* A lone "-" (no actor) is no formula. */
	bool quote = false, formula = (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	    s[0] == '\t' || s[0] == '\r') && strcmp(s, "-") != 0;
	size_t need = strlen(s) * 2 + 8;

	for (const char *p = s; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
			quote = true;
	if (*len + need >= *cap) {
		size_t ncap = (*cap + need) * 2;
		char *n = realloc(*buf, ncap);

		if (n == NULL)
			return;
		*buf = n;
		*cap = ncap;
	}
	if (quote || formula)
		(*buf)[(*len)++] = '"';
	if (formula)
		(*buf)[(*len)++] = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			(*buf)[(*len)++] = '"';
		(*buf)[(*len)++] = *p;
	}
	if (quote || formula)
		(*buf)[(*len)++] = '"';
	if (last) {
		(*buf)[(*len)++] = '\r';
		(*buf)[(*len)++] = '\n';
	} else {
		(*buf)[(*len)++] = ',';
	}
	(*buf)[*len] = '\0';
}

char *
audit_csv_line(const json_t *entry)
{
	static const char *const cols[] = { "seq", "time", "actor", "actor_id", "tenant_id",
		"source", "action", "target", "result", "detail", "hash" };
	size_t ncols = sizeof(cols) / sizeof(cols[0]), len = 0, cap = 256;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	buf[0] = '\0';
	for (size_t i = 0; i < ncols; i++) {
		json_t *v = json_object_get(entry, cols[i]);
		char num[32];
		const char *s = "";

		if (json_is_string(v)) {
			s = json_string_value(v);
		} else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
			s = num;
		}
		csv_cell(&buf, &len, &cap, s, i + 1 == ncols);
	}
	return buf;
}
