/*
 * test_waf_sqli: the SQL injection analyser on classic payloads of every
 * family (tautologies, UNION, stacked statements, blind time and error
 * functions, comment truncation, numeric context, evasions) and on text
 * that only looks like SQL (the false positives a regex WAF has), plus
 * the fingerprints of a few inputs in each quote context.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sqli.h"

static const char *const attacks[] = {
	"' or '1'='1",
	"1' or '1'='1' -- ",
	"admin'--",
	"admin' #",
	"' OR 1=1--",
	"\" or \"\"=\"",
	"') or ('a'='a",
	"1 or 1=1",
	"1) or (1=1",
	"-1 union select 1,2,3",
	"1 UNION ALL SELECT NULL,NULL,version()--",
	"x' UNION SELECT username, password FROM users--",
	"1; DROP TABLE users",
	"1'; drop table users; --",
	"'; exec xp_cmdshell 'dir'--",
	"1' and sleep(5)#",
	"1 and sleep(5)",
	"sleep(5)",
	"1' AND (SELECT 1 FROM (SELECT SLEEP(5))a)-- x",
	"1'; waitfor delay '0:0:5'--",
	"1 AND extractvalue(1,concat(0x7e,version()))",
	"' and updatexml(1,concat(0x7e,(select user())),1)--",
	"1' order by 3--",
	"3 GROUP BY 1,2,3 HAVING 1=1--",
	"1 procedure analyse()",
	"' having 1=1--",
	"1'||(select pg_sleep(5))||'",
	"1' AND 1=(SELECT COUNT(*) FROM information_schema.tables)--",
	"status = 'active' OR 1=1",
	"2 AND 1=(SELECT 1 FROM users WHERE name='a')",
	"(CASE WHEN (1=1) THEN id ELSE name END)",
	"1 RLIKE (SELECT (CASE WHEN (1=1) THEN 1 ELSE 0x28 END))",
	"1/*!50000union*/ /*!50000select*/ 1,2",
	"1 union distinctrow select 1,2",
	"1 AND ascii(substring((select database()),1,1))>64",
	"1' and benchmark(5000000,md5(1))#",
	"-1' union select @@version -- ",
	"' or 1 --",
	"x' AND 1=0 UNION SELECT 1 -- -",
	"1=1; DROP TABLE users",
	"';SHUTDOWN WITH NOWAIT;--",
	"1'; copy (select '') to program 'id'--",
	"region, (select password from admins limit 1)",
	"iif(1=1,1,1/0)",
	"(case when (select substr(version(),1,1))='8' then created_at else id end)",
	"7;SELECT sys_sleep(6)--",
	/* a SELECT in front does not hide a break-out from a string */
	"SELECT a FROM b WHERE c = x' OR '1'='1",
	"SELECT a FROM b x' UNION SELECT password FROM users-- ",
	"x', is_admin=1, balance=99999 WHERE id=1-- ",
	"a@b.c'; INSERT INTO users(username,password,role) VALUES('eve','x','admin')--",
	/* a SELECT in front does not make the rest a whole statement */
	"select 1' union select password from users-- -",
	"select 1' or '1'='1",
	"SELECT 1\" UNION SELECT password FROM users-- -",
	"select 1) union select password from users-- -",
	"with x as (select 1) select 1) union select password from users-- -",
	"select date' or 'date'='date",
	/* padding past the token bound */
	"1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1 union select password from users",
	"x'+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1 union select password from users-- -",
};

static const char *const benign[] = {
	"select your size",
	"O'Brien",
	"O'Reilly's book",
	"drop-down menu",
	"drop table tennis",
	"select all",
	"exec chair",
	"union of workers",
	"The union select committee met on Tuesday",
	"Tom's and Jerry's adventure",
	"1=1 in math",
	"order by date",
	"waitfor it",
	"size < 10",
	"5'11\"",
	"It's 5 o'clock and I'm late",
	"select one from the list",
	"SELECT * FROM my heart",
	"SELECT CASE WHEN age < 18 THEN '<18' ELSE '18+' END AS band, COUNT(*) FROM dim_user GROUP BY 1",
	"Please select file(s) to upload",
	"O'Neil, size = 10 where possible",
	/* whole statements: not injections (a BI tool, a SQL quiz answer) */
	"SELECT * FROM users",
	"SELECT name FROM students WHERE score >= 90 ORDER BY score DESC;",
	"-- monthly GMV\nSELECT region, SUM(amount) AS gmv\nFROM orders\nWHERE created_at >= '2024-10-01' AND status <> 'cancelled'\nGROUP BY region\nORDER BY gmv DESC;\n",
	"=IF(C2>100,\"high\",\"low\")",
	"SELECT CASE WHEN age < 18 THEN '<18' WHEN age BETWEEN 18 AND 24 THEN '18-24' WHEN age BETWEEN 25 AND 34 THEN '25-34' ELSE '35+' END AS age_band,\n       COUNT(*) AS users\nFROM dim_user\nGROUP BY 1\nORDER BY 1;",
	"SELECT o.id, o.total FROM orders o WHERE o.created_at >= DATE '2024-01-01' AND o.status IN ('paid', 'shipped') UNION ALL SELECT a.id, a.total FROM archive a WHERE a.region = 'east' AND a.total > 100 AND a.total < 5000 AND a.note <> 'test' ORDER BY 2 DESC",

	"diff --git a/m.sql b/m.sql\n--- /dev/null\n+++ b/m.sql\n@@ -0,0 +1 @@\n+ALTER TABLE orders ADD note TEXT;\n+CREATE INDEX i ON orders (user_id);",
	"(select all that apply)",
	"Please update your profile; delete from cart if needed",
	"I'd like 1 or 2 apples",
	"rock 'n' roll",
	"document.querySelector('#list').textContent = 1;",
	"hello world",
	"2024-11-24",
	"price: $5 - $10",
	"C'est la vie -- vraiment",
	"email@example.com",
	"\xE5\x8F\x8C\xE5\x8D\x81\xE4\xB8\x80 select",
	"the or and the and",
	"",
};

static void
test_attacks(void **state)
{
	struct sqli_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		memset(&r, 0, sizeof(r));
		if (!sqli_detect(attacks[i], strlen(attacks[i]), &r))
			fail_msg("missed: %s", attacks[i]);
		assert_non_null(r.reason);
		assert_true(r.offset <= strlen(attacks[i]));
	}
}

static void
test_benign(void **state)
{
	struct sqli_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(benign) / sizeof(benign[0]); i++)
		if (sqli_detect(benign[i], strlen(benign[i]), &r))
			fail_msg("false positive: \"%s\" (%s, context %c, fingerprint %s)", benign[i],
			    r.reason, r.context ? r.context : '0', r.fingerprint);
}

static void
fp_is(const char *in, int q, const char *want)
{
	char fp[SQLI_FP_MAX + 1];

	sqli_fingerprint(in, strlen(in), q, fp, sizeof(fp));
	if (strcmp(fp, want) != 0)
		fail_msg("fingerprint of \"%s\" in context %c: %s, want %s", in, q ? q : '0', fp, want);
}

static void
test_fingerprints(void **state)
{
	(void)state;
	fp_is("1' or '1'='1", '\'', "s&sos");
	fp_is("1 union select 1,2--", 0, "1UE1,1c");
	fp_is("-1 or 1=1", 0, "1&1o1");
	fp_is("sleep(5) and 1", 0, "f&1");
	fp_is("`tbl`.`col` = 1", 0, "no1");
	fp_is("no quote here", '\'', "");	/* the context needs its quote */
	fp_is("select your size", 0, "Enn");
	fp_is("O'Brien", '\'', "sn");
}

/* Long and deep inputs stay bounded (64 tokens) and do not crash. */
static void
test_bounded(void **state)
{
	char big[20000];

	(void)state;
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = "((('\"/*-- #"[i % 11];
	big[sizeof(big) - 1] = '\0';
	(void)sqli_detect(big, strlen(big), NULL);
	memset(big, 'a', sizeof(big) - 1);
	assert_false(sqli_detect(big, strlen(big), NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attacks),
		cmocka_unit_test(test_benign),
		cmocka_unit_test(test_fingerprints),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
