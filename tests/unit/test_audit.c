/*
 * test_audit: the audit trail as an auditor relies on it. Entries commit and
 * roll back with the change they record; audit_verify() accepts an intact
 * trail and names the first bad entry of an edited, deleted or reordered
 * one; signed checkpoints catch a cut-off tail, a forged signature and a
 * chain recomputed by someone without the signing key (the test recomputes
 * it with the encoding documented in audit.c, as such an attacker would);
 * the CSV export cannot smuggle formulas into a spreadsheet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "audit.h"
#include "crypto.h"
#include "fixture.h"

#define EVERY 4		/* checkpoint period of the signed tests */

struct ctx {
	struct fx *fx;
	EVP_PKEY *priv, *pub, *other_pub;
};

static EVP_PKEY *
make_key(struct fx *f, const char *name, bool private)
{
	char priv[256], pub[256], err[256];
	EVP_PKEY *k;

	snprintf(priv, sizeof(priv), "%s/%s.key", f->dir, name);
	snprintf(pub, sizeof(pub), "%s/%s.pub", f->dir, name);
	if (access(priv, F_OK) != 0)
		assert_int_equal(crypto_ed25519_generate(priv, pub, err, sizeof(err)), 0);
	k = private ? crypto_ed25519_load_private(priv, err, sizeof(err))
	    : crypto_ed25519_load_public(pub, err, sizeof(err));
	assert_non_null(k);
	return k;
}

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->fx = fx_new(1)) == NULL)
		return -1;
	c->priv = make_key(c->fx, "audit", true);
	c->pub = make_key(c->fx, "audit", false);
	c->other_pub = make_key(c->fx, "other", false);
	audit_configure(c->priv, EVERY);
	*state = c;
	return 0;
}

static int
setup_unsigned(void **state)
{
	int rc = setup(state);

	audit_configure(NULL, 1000);
	return rc;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	audit_configure(NULL, 1000);
	EVP_PKEY_free(c->priv);
	EVP_PKEY_free(c->pub);
	EVP_PKEY_free(c->other_pub);
	fx_free(c->fx);
	free(c);
	return 0;
}

static int64_t
append(struct db *db, int i)
{
	char target[32], detail[64];
	struct audit_entry e = {
		.time_ms = 1795000000000LL + i,
		.actor = "root",
		.actor_id = 1,
		.tenant_id = i % 3 ? 7 : 0,
		.source = "192.0.2.10",
		.action = "order.approve",
		.target = target,
		.result = "ok",
		.detail = detail,
	};

	snprintf(target, sizeof(target), "order/%d", i);
	snprintf(detail, sizeof(detail), "entry number %d", i);
	return audit_append(db, &e);
}

static void
append_n(struct db *db, int n)
{
	int64_t first = db_int(db, 0, "SELECT max(seq) FROM audit_log", "") + 1;

	for (int i = 0; i < n; i++)
		assert_int_equal(append(db, (int)first + i), first + i);
}

static struct audit_verify_result
verify(struct ctx *c, EVP_PKEY *pub)
{
	struct audit_verify_result r;

	assert_int_equal(audit_verify(c->fx->db, pub, &r), 0);
	return r;
}

static void
assert_bad_at(struct ctx *c, int64_t seq)
{
	struct audit_verify_result r = verify(c, c->pub);

	if (r.ok || r.first_bad_seq != seq)
		fprintf(stderr, "verify: ok=%d first_bad_seq=%lld reason=%s\n", r.ok,
		    (long long)r.first_bad_seq, r.reason);
	assert_false(r.ok);
	assert_int_equal(r.first_bad_seq, seq);
	assert_true(r.reason[0] != '\0');
}

static void
exec(struct db *db, const char *sql)
{
	assert_int_equal(db_exec(db, sql), 0);
}

static void
test_append_and_verify(void **state)
{
	struct ctx *c = *state;
	struct audit_verify_result r;
	char hex[65];
	struct db_stmt *st;
	size_t len;

	r = verify(c, c->pub);
	assert_true(r.ok);
	assert_int_equal(r.entries, 0);
	assert_int_equal(r.head_seq, 0);

	append_n(c->fx->db, 10);
	r = verify(c, c->pub);
	assert_true(r.ok);
	assert_int_equal(r.entries, 10);
	assert_int_equal(r.head_seq, 10);
	assert_int_equal(r.first_bad_seq, 0);
	/* head_hash is the stored hash of the last entry. */
	st = db_q(c->fx->db, "SELECT hash FROM audit_log WHERE seq = 10", "");
	assert_int_equal(db_step(st), DB_ROW);
	crypto_hex(db_col_blob(st, 0, &len), 32, hex);
	assert_int_equal(len, 32);
	db_done(st);
	assert_string_equal(r.head_hash, hex);
}

static void
test_append_follows_enclosing_transaction(void **state)
{
	struct ctx *c = *state;
	struct db *db = c->fx->db;
	struct audit_verify_result r;

	append_n(db, 2);
	/* Committed with the change it records. */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(append(db, 3), 3);
	assert_int_equal(db_commit(db), 0);
	/* Rolled back with it: the entry is gone and its seq is reused. */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(append(db, 4), 4);
	assert_int_equal(append(db, 5), 5);
	db_rollback(db);
	assert_int_equal(db_int(db, -1, "SELECT count(*) FROM audit_log", ""), 3);
	assert_int_equal(db_int(db, -1, "SELECT count(*) FROM audit_log WHERE target = 'order/4'",
	    ""), 0);
	/* The rolled-back entry was the 4th: its checkpoint must not survive it;
	 * only the genesis checkpoint of entry 1 remains. */
	assert_int_equal(db_int(db, -1, "SELECT count(*) FROM audit_checkpoints", ""), 1);
	r = verify(c, c->pub);
	assert_true(r.ok);
	assert_int_equal(r.entries, 3);
	assert_int_equal(append(db, 4), 4);
	r = verify(c, c->pub);
	assert_true(r.ok);
	assert_int_equal(r.head_seq, 4);
	assert_int_equal(r.checkpoints, 2);
}

static void
test_checkpoints_signed(void **state)
{
	struct ctx *c = *state;
	struct db *db = c->fx->db;
	struct audit_verify_result r;
	json_t *j;

	append_n(db, 10);
	/* The first entry, then every EVERY entries. */
	assert_int_equal(db_int(db, -1, "SELECT count(*) FROM audit_checkpoints", ""), 3);
	assert_int_equal(db_int(db, -1, "SELECT group_concat(seq) = '1,4,8' FROM audit_checkpoints",
	    ""), 1);
	r = verify(c, c->pub);
	assert_true(r.ok);
	assert_int_equal(r.checkpoints, 3);
	/* An explicit checkpoint signs the head once. */
	assert_int_equal(audit_checkpoint(db), 1);
	assert_int_equal(audit_checkpoint(db), 0);
	r = verify(c, c->pub);
	assert_true(r.ok);
	assert_int_equal(r.checkpoints, 4);
	assert_int_equal(r.entries, 10);
	j = audit_verify_json(&r);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_int_equal(json_integer_value(json_object_get(j, "checkpoints")), 4);
	assert_null(json_object_get(j, "first_bad_seq"));
	json_decref(j);
}

static void
test_wrong_public_key(void **state)
{
	struct ctx *c = *state;
	struct audit_verify_result r;
	json_t *j;

	append_n(c->fx->db, 8);
	r = verify(c, c->other_pub);
	assert_false(r.ok);
	assert_int_equal(r.first_bad_seq, 1);
	j = audit_verify_json(&r);
	assert_true(json_is_false(json_object_get(j, "ok")));
	assert_int_equal(json_integer_value(json_object_get(j, "first_bad_seq")), 1);
	assert_non_null(json_string_value(json_object_get(j, "reason")));
	json_decref(j);
}

/* Every hashed field of entry 5 matters: change it and verify names 5;
 * restore it and the trail is whole again. */
static void
test_edit_each_field(void **state)
{
	static const char *const edits[][2] = {
		{ "UPDATE audit_log SET time_ms = time_ms + 1 WHERE seq = 5",
		  "UPDATE audit_log SET time_ms = time_ms - 1 WHERE seq = 5" },
		{ "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5",
		  "UPDATE audit_log SET actor = 'root' WHERE seq = 5" },
		{ "UPDATE audit_log SET actor_id = 2 WHERE seq = 5",
		  "UPDATE audit_log SET actor_id = 1 WHERE seq = 5" },
		{ "UPDATE audit_log SET tenant_id = 8 WHERE seq = 5",
		  "UPDATE audit_log SET tenant_id = 7 WHERE seq = 5" },
		{ "UPDATE audit_log SET source = '203.0.113.9' WHERE seq = 5",
		  "UPDATE audit_log SET source = '192.0.2.10' WHERE seq = 5" },
		{ "UPDATE audit_log SET action = 'order.reject' WHERE seq = 5",
		  "UPDATE audit_log SET action = 'order.approve' WHERE seq = 5" },
		{ "UPDATE audit_log SET target = 'order/99' WHERE seq = 5",
		  "UPDATE audit_log SET target = 'order/5' WHERE seq = 5" },
		{ "UPDATE audit_log SET result = 'forbidden' WHERE seq = 5",
		  "UPDATE audit_log SET result = 'ok' WHERE seq = 5" },
		{ "UPDATE audit_log SET detail = 'entry number 6' WHERE seq = 5",
		  "UPDATE audit_log SET detail = 'entry number 5' WHERE seq = 5" },
		{ "UPDATE audit_log SET hash = zeroblob(32) WHERE seq = 5", NULL },
	};
	struct ctx *c = *state;

	append_n(c->fx->db, 10);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		exec(c->fx->db, edits[i][0]);
		assert_bad_at(c, 5);
		if (edits[i][1]) {
			exec(c->fx->db, edits[i][1]);
			assert_true(verify(c, c->pub).ok);
		}
	}
}

static void
test_delete_entry(void **state)
{
	struct ctx *c = *state;

	append_n(c->fx->db, 10);
	exec(c->fx->db, "DELETE FROM audit_log WHERE seq = 6");
	assert_bad_at(c, 6);
}

static void
test_delete_first_entry(void **state)
{
	struct ctx *c = *state;

	append_n(c->fx->db, 3);
	exec(c->fx->db, "DELETE FROM audit_log WHERE seq = 1");
	assert_bad_at(c, 1);
}

static void
test_swap_rows(void **state)
{
	struct ctx *c = *state;

	append_n(c->fx->db, 10);
	exec(c->fx->db,
	    "CREATE TEMP TABLE swap AS SELECT * FROM audit_log WHERE seq IN (3, 7);"
	    "UPDATE audit_log SET (time_ms, actor, actor_id, tenant_id, source, action, target,"
	    "  result, detail, hash) = (SELECT time_ms, actor, actor_id, tenant_id, source, action,"
	    "  target, result, detail, hash FROM swap"
	    "  WHERE swap.seq = CASE audit_log.seq WHEN 3 THEN 7 ELSE 3 END)"
	    " WHERE seq IN (3, 7);"
	    "DROP TABLE swap;");
	assert_int_equal(db_int(c->fx->db, 0, "SELECT count(*) FROM audit_log WHERE seq = 3 AND"
	    " target = 'order/7'", ""), 1);
	assert_bad_at(c, 3);
}

static void
test_forged_checkpoint_signature(void **state)
{
	struct ctx *c = *state;
	struct db *db = c->fx->db;
	unsigned char sig[64];
	struct db_stmt *st;
	size_t len;

	append_n(db, 10);
	st = db_q(db, "SELECT signature FROM audit_checkpoints WHERE seq = 8", "");
	assert_int_equal(db_step(st), DB_ROW);
	memcpy(sig, db_col_blob(st, 0, &len), sizeof(sig));
	assert_int_equal(len, sizeof(sig));
	db_done(st);
	sig[10] ^= 0x01;
	assert_int_equal(db_run(db, "UPDATE audit_checkpoints SET signature = ? WHERE seq = 8",
	    "b", sig, sizeof(sig)), 1);
	/* Entries 5..8 are the ones no good checkpoint covers any more. */
	assert_bad_at(c, 5);
}

static void
test_truncated_tail(void **state)
{
	struct ctx *c = *state;
	struct audit_verify_result r;

	append_n(c->fx->db, 10);
	exec(c->fx->db, "DELETE FROM audit_log WHERE seq >= 7");
	r = verify(c, c->pub);
	assert_false(r.ok);
	assert_int_equal(r.first_bad_seq, 7);
	assert_int_equal(r.entries, 6);
	assert_int_equal(r.head_seq, 6);
}

/* The chain encoding of audit.c (its file comment): domain tag with its NUL,
 * the previous hash, then each field as a big-endian u64 or a u64 length and
 * the bytes (length UINT64_MAX for NULL). Written out here rather than
 * exported, as an attacker with write access to the store would. */
static void
put_u64(EVP_MD_CTX *md, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (56 - 8 * i));
	EVP_DigestUpdate(md, b, 8);
}

static void
put_str(EVP_MD_CTX *md, const char *s)
{
	put_u64(md, s ? strlen(s) : UINT64_MAX);
	if (s)
		EVP_DigestUpdate(md, s, strlen(s));
}

static void
chain_hash(struct db_stmt *st, const unsigned char prev[32], unsigned char out[32])
{
	static const char tag[] = "yunshou-audit-v1";
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;

	assert_non_null(md);
	assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
	EVP_DigestUpdate(md, tag, sizeof(tag));
	EVP_DigestUpdate(md, prev, 32);
	put_u64(md, (uint64_t)db_col_int(st, 0));	/* seq */
	put_u64(md, (uint64_t)db_col_int(st, 1));	/* time_ms */
	put_str(md, db_col_text(st, 2));		/* actor */
	put_u64(md, (uint64_t)db_col_int(st, 3));	/* actor_id */
	put_u64(md, (uint64_t)db_col_int(st, 4));	/* tenant_id */
	for (int col = 5; col <= 9; col++)		/* source .. detail */
		put_str(md, db_col_text(st, col));
	assert_int_equal(EVP_DigestFinal_ex(md, out, &n), 1);
	EVP_MD_CTX_free(md);
}

/* Rewrite every stored hash from the chain start, as an attacker who edited
 * an entry would; returns how many stored hashes changed. */
static int
recompute_chain(struct db *db, bool also_checkpoints)
{
	unsigned char prev[32] = { 0 }, h[32];
	int64_t seqs[64];
	unsigned char hashes[64][32];
	int n = 0, changed = 0;
	struct db_stmt *st;

	st = db_q(db, "SELECT seq, time_ms, actor, actor_id, tenant_id, source, action, target,"
	    " result, detail, hash FROM audit_log ORDER BY seq", "");
	assert_non_null(st);
	while (db_step(st) == DB_ROW && n < 64) {
		size_t len;
		const void *stored = db_col_blob(st, 10, &len);

		chain_hash(st, prev, h);
		if (len != 32 || memcmp(stored, h, 32) != 0)
			changed++;
		seqs[n] = db_col_int(st, 0);
		memcpy(hashes[n++], h, 32);
		memcpy(prev, h, 32);
	}
	db_done(st);
	for (int i = 0; i < n; i++) {
		assert_int_equal(db_run(db, "UPDATE audit_log SET hash = ? WHERE seq = ?", "bl",
		    hashes[i], (size_t)32, seqs[i]), 1);
		if (also_checkpoints)
			db_run(db, "UPDATE audit_checkpoints SET hash = ? WHERE seq = ?", "bl",
			    hashes[i], (size_t)32, seqs[i]);
	}
	return changed;
}

static void
test_recomputed_chain_caught_by_checkpoint(void **state)
{
	struct ctx *c = *state;
	struct db *db = c->fx->db;
	struct audit_verify_result r;

	append_n(db, 10);
	/* The replica of the encoding is right: on an intact trail it changes
	 * nothing, so what follows is a real forgery. */
	assert_int_equal(recompute_chain(db, false), 0);
	assert_true(verify(c, c->pub).ok);

	exec(db, "UPDATE audit_log SET result = 'ok', detail = 'nothing to see' WHERE seq = 6");
	assert_int_equal(recompute_chain(db, false), 5);	/* 6..10 */
	/* The chain itself is consistent again; checkpoint 8 is not. */
	assert_bad_at(c, 5);

	/* Also rewriting the checkpoint's hash leaves only the signature. */
	recompute_chain(db, true);
	assert_bad_at(c, 5);
	/* Without the public key the forgery would pass: the key is the point. */
	r = verify(c, NULL);
	assert_true(r.ok);
}

static void
test_rewrite_with_deleted_checkpoints_caught(void **state)
{
	struct ctx *c = *state;
	struct db *db = c->fx->db;

	append_n(db, 10);
	/* Rewrite entry 6, recompute the chain, and delete the checkpoint that
	 * would expose it: the checkpoint due at entry 8 is missing. */
	exec(db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 6");
	recompute_chain(db, false);
	exec(db, "DELETE FROM audit_checkpoints WHERE seq >= 8");
	assert_bad_at(c, 5);
	/* Deleting every checkpoint is caught at the missing genesis one. */
	exec(db, "DELETE FROM audit_checkpoints");
	assert_bad_at(c, 1);
}

static void
test_unsigned_trail_detects_edits(void **state)
{
	struct ctx *c = *state;

	append_n(c->fx->db, 6);
	assert_int_equal(db_int(c->fx->db, -1, "SELECT count(*) FROM audit_checkpoints", ""), 0);
	assert_int_equal(audit_checkpoint(c->fx->db), 0);	/* no key: nothing signed */
	/* Checked with a key, a trail without its genesis checkpoint is refused;
	 * without one, the chain alone still catches edits. */
	assert_false(verify(c, c->pub).ok);
	assert_true(verify(c, NULL).ok);
	exec(c->fx->db, "UPDATE audit_log SET actor = 'x' WHERE seq = 2");
	assert_false(verify(c, NULL).ok);
	assert_int_equal(verify(c, NULL).first_bad_seq, 2);
}

static void
test_long_fields_are_clipped_not_refused(void **state)
{
	struct ctx *c = *state;
	char *big = malloc(10000);
	struct audit_entry e = { .action = "user.create", .actor = "root" };

	memset(big, 'x', 9999);
	big[9999] = '\0';
	e.detail = big;
	e.target = big;
	assert_int_equal(audit_append(c->fx->db, &e), 1);
	assert_true(verify(c, c->pub).ok);
	assert_true(db_int(c->fx->db, 0, "SELECT length(detail) FROM audit_log", "") < 9999);
	free(big);
}

static void
check_csv(const char *json_text, const char *want)
{
	json_error_t je;
	json_t *entry = json_loads(json_text, 0, &je);
	char *line;

	assert_non_null(entry);
	line = audit_csv_line(entry);
	assert_non_null(line);
	assert_string_equal(line, want);
	free(line);
	json_decref(entry);
}

static void
test_csv_quoting(void **state)
{
	(void)state;
	assert_string_equal(AUDIT_CSV_HEADER,
	    "seq,time,actor,actor_id,tenant_id,source,action,target,result,detail,hash\r\n");
	check_csv("{\"seq\":1,\"time\":\"2026-11-23T08:00:00.000Z\",\"actor\":\"root\","
	    "\"actor_id\":1,\"tenant_id\":null,\"source\":\"192.0.2.1\",\"action\":\"order.approve\","
	    "\"target\":\"order/12\",\"result\":\"ok\",\"detail\":\"\",\"hash\":\"ab01\"}",
	    "1,2026-11-23T08:00:00.000Z,root,1,,192.0.2.1,order.approve,order/12,ok,,ab01\r\n");
	/* Commas, quotes and line breaks are quoted, quotes doubled. */
	check_csv("{\"seq\":2,\"actor\":\"a,b\",\"detail\":\"say \\\"hi\\\"\\nbye\","
	    "\"target\":\"x\\r\\ny\"}",
	    "2,,\"a,b\",,,,,\"x\r\ny\",,\"say \"\"hi\"\"\nbye\",\r\n");
	/* UTF-8 passes untouched. */
	check_csv("{\"seq\":3,\"detail\":\"租户 已批准\"}", "3,,,,,,,,,租户 已批准,\r\n");
}

static void
test_csv_formula_injection(void **state)
{
	(void)state;
	check_csv("{\"seq\":4,\"detail\":\"=cmd|' /C calc'!A0\"}",
	    "4,,,,,,,,,\"'=cmd|' /C calc'!A0\",\r\n");
	check_csv("{\"seq\":5,\"actor\":\"+1\",\"target\":\"@SUM(A1)\",\"detail\":\"-2+3\"}",
	    "5,,\"'+1\",,,,,\"'@SUM(A1)\",,\"'-2+3\",\r\n");
	/* A formula that also needs quoting gets both. */
	check_csv("{\"seq\":6,\"detail\":\"=HYPERLINK(\\\"http://x\\\",\\\"a,b\\\")\"}",
	    "6,,,,,,,,,\"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\",\r\n");
	check_csv("{\"seq\":7,\"detail\":\"\\tcmd\"}", "7,,,,,,,,,\"'\tcmd\",\r\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_follows_enclosing_transaction, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_checkpoints_signed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_public_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_each_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_first_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_checkpoint_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_with_deleted_checkpoints_caught, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recomputed_chain_caught_by_checkpoint, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_trail_detects_edits, setup_unsigned,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long_fields_are_clipped_not_refused, setup,
		    teardown),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_formula_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
