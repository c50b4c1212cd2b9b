/*
 * actions: running a built request. Most commands take cli_run_generic(),
 * which sends the request and prints the answer; the few with a dialogue
 * (login, passwd, MFA) or a special answer (audit export streams, audit
 * verify sets the exit code) have their own run function, named in their
 * table row. All of them report errors the same way: "error: <message>
 * (<code>)" on stderr, with a hint where the code has an obvious next step.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "httpc.h"
#include "output.h"
#include "session.h"
#include "tty.h"

struct answer {
	long status;
	json_t *json;		/* parsed body, or NULL */
	long retry_after;
	size_t streamed;
};

static const struct {
	const char *code;
	const char *hint;
} error_hints[] = {
	{ "unauthorized", "run `yunshou login USER` (or check YUNSHOU_TOKEN)" },
	{ "password_change_required", "run `yunshou passwd` first" },
	{ "mfa_enrollment_required",
	  "run `yunshou mfa setup`, then `yunshou mfa enable --otp CODE`" },
	{ "mfa_required", "give the code with --otp CODE" },
	{ "tenant_not_active", "the tenant must be approved or resumed first" },
};

static bool
is_success(long status)
{
	return status >= 200 && status < 300;
}

static const char *
error_code(const json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "error"),
	    "code"));
}

static void
answer_free(struct answer *a)
{
	if (a == NULL)
		return;
	json_decref(a->json);
	a->json = NULL;
}

/* Sends one request. 0 when an answer arrived (any status); otherwise the
 * failure is printed and the exit code returned. */
static int
send_req(struct cli_ctx *ctx, const char *method, const char *path,
    const char *query, const json_t *body, bool auth, FILE *sink,
    struct answer *a)
{
	struct httpc_req req = {
		.server = ctx->server, .ca = ctx->ca,
		.token = auth ? ctx->token : NULL, .method = method,
		.path = path, .query = query, .body = body, .sink = sink,
	};
	struct httpc_resp resp;
	json_error_t jerr;
	char err[512];
	int rc;

	memset(a, 0, sizeof(*a));
	if (auth && ctx->token == NULL) {
		fprintf(stderr, "error: not logged in\nhint: run `yunshou login "
		    "USER` (or set YUNSHOU_TOKEN)\n");
		return CLI_EXIT_API;
	}
	rc = httpc_request(&req, &resp, err, sizeof(err));
	if (rc == -1) {
		fprintf(stderr, "error: cannot reach %s: %s\n", ctx->server, err);
		httpc_resp_free(&resp);
		return CLI_EXIT_CONNECT;
	}
	if (rc < 0) {
		fprintf(stderr, "error: %s\n", err);
		httpc_resp_free(&resp);
		return CLI_EXIT_API;
	}
	a->status = resp.status;
	a->retry_after = resp.retry_after;
	a->streamed = resp.streamed;
	if (resp.len > 0)
		a->json = json_loadb(resp.body, resp.len, JSON_DECODE_ANY, &jerr);
	httpc_resp_free(&resp);
	if (is_success(a->status) && resp.len > 0 && !json_is_object(a->json)) {
		fprintf(stderr, "error: the server's answer (HTTP %ld) is not a "
		    "JSON object\n", a->status);
		answer_free(a);
		return CLI_EXIT_API;
	}
	return 0;
}

/* Prints a non-2xx answer; returns the exit code. */
static int
report_error(struct cli_ctx *ctx, const struct answer *a)
{
	const json_t *e = json_object_get(a->json, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	json_t *msg = json_object_get(e, "message");
	json_t *retry = json_object_get(e, "retry_after");

	if (ctx->json && a->json != NULL)
		cli_out_json(stdout, a->json);
	if (code != NULL && json_is_string(msg)) {
		char *m = cli_out_cell(msg);
		char *c = cli_out_cell(json_object_get(e, "code"));

		fprintf(stderr, "error: %s (%s)\n", m ? m : "?", c ? c : "?");
		free(m);
		free(c);
	} else {
		fprintf(stderr, "error: the server answered HTTP %ld\n", a->status);
	}
	for (size_t i = 0; code && i < sizeof(error_hints) / sizeof(error_hints[0]); i++)
		if (strcmp(code, error_hints[i].code) == 0)
			fprintf(stderr, "hint: %s\n", error_hints[i].hint);
	if (json_is_integer(retry))
		fprintf(stderr, "hint: try again in %lld s\n",
		    (long long)json_integer_value(retry));
	else if (a->status == 429 && a->retry_after >= 0)
		fprintf(stderr, "hint: try again in %ld s\n", a->retry_after);
	return CLI_EXIT_API;
}

/* send_req + report_error: 0 with *out (owned by the caller) on success. */
static int
call(struct cli_ctx *ctx, const char *method, const char *path,
    const char *query, const json_t *body, bool auth, json_t **out)
{
	struct answer a;
	int rc;

	*out = NULL;
	rc = send_req(ctx, method, path, query, body, auth, NULL, &a);
	if (rc != 0)
		return rc;
	if (!is_success(a.status)) {
		rc = report_error(ctx, &a);
		answer_free(&a);
		return rc;
	}
	*out = a.json ? a.json : json_object();
	return 0;
}

/* Human or JSON rendering of a successful answer. */
static void
show(struct cli_ctx *ctx, const struct cli_command *cmd, const json_t *j)
{
	const json_t *items = json_object_get(j, "items");
	const json_t *next = json_object_get(j, "next_after");

	if (ctx->json) {
		cli_out_json(stdout, j);
		return;
	}
	if (json_is_array(items) && cmd->columns != NULL) {
		cli_out_table(stdout, items, cmd->columns);
		if (next != NULL && !json_is_null(next)) {
			char *n = cli_out_cell(next);

			fprintf(stderr, "more entries: repeat with --after %s\n",
			    n ? n : "?");
			free(n);
		}
	} else {
		cli_out_object(stdout, j);
	}
	if (cmd->note != NULL)
		fprintf(stderr, "note: %s\n", cmd->note);
}

/* Wipes a password member of a body before the body is freed. */
static void
scrub(json_t *body, const char *field)
{
	json_t *v = json_object_get(body, field);

	if (json_is_string(v))
		explicit_bzero((char *)json_string_value(v),
		    json_string_length(v));
}

static int
put_secret(json_t *body, const char *field, const char *env,
    const char *what, bool confirm)
{
	char pw[CLI_SECRET_MAX], err[512];
	int rc;

	if (cli_tty_secret(env, what, confirm, pw, sizeof(pw), err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return CLI_EXIT_API;
	}
	rc = json_object_set_new(body, field, json_string(pw));
	explicit_bzero(pw, sizeof(pw));
	if (rc < 0) {
		fprintf(stderr, "error: out of memory\n");
		return CLI_EXIT_API;
	}
	return 0;
}

int
cli_run_generic(struct cli_ctx *ctx, struct cli_request *req)
{
	const struct cli_command *cmd = req->cmd;
	json_t *out;
	int rc;

	if (cmd->secret != NULL) {
		rc = put_secret(req->body, cmd->secret->field, cmd->secret->env,
		    cmd->secret->prompt, cmd->secret->confirm);
		if (rc != 0)
			return rc;
	}
	rc = call(ctx, cmd->method, req->path, req->query, req->body,
	    !cmd->is_public, &out);
	if (cmd->secret != NULL)
		scrub(req->body, cmd->secret->field);
	if (rc != 0)
		return rc;
	show(ctx, cmd, out);
	json_decref(out);
	return CLI_EXIT_OK;
}

/* Saves server, CA, token and user as the new session and points ctx at
 * the saved copies. */
static int
save_login(struct cli_ctx *ctx, const char *token, const char *username)
{
	struct cli_session fresh = { 0 };
	char cabuf[PATH_MAX], err[512];

	if (ctx->ca != NULL && realpath(ctx->ca, cabuf) == NULL) {
		fprintf(stderr, "error: %s: %s\n", ctx->ca, strerror(errno));
		return CLI_EXIT_API;
	}
	if (cli_session_set(&fresh.server, ctx->server) < 0 ||
	    cli_session_set(&fresh.ca, ctx->ca ? cabuf : NULL) < 0 ||
	    cli_session_set(&fresh.token, token) < 0 ||
	    cli_session_set(&fresh.username, username) < 0) {
		cli_session_clear(&fresh);
		fprintf(stderr, "error: out of memory\n");
		return CLI_EXIT_API;
	}
	if (cli_session_save(ctx->config_dir, &fresh, err, sizeof(err)) < 0) {
		cli_session_clear(&fresh);
		fprintf(stderr, "error: logged in, but cannot save the session: "
		    "%s\n", err);
		return CLI_EXIT_API;
	}
	cli_session_clear(ctx->session);
	*ctx->session = fresh;
	ctx->server = fresh.server;
	ctx->ca = fresh.ca;
	ctx->token = fresh.token;
	ctx->token_from_session = true;
	return 0;
}

/* The forced password change right after a login with a one-time password. */
static int
change_first_password(struct cli_ctx *ctx, json_t *login_body)
{
	json_t *body = json_object(), *out = NULL;
	int rc;

	if (body == NULL)
		return CLI_EXIT_API;
	fprintf(stderr, "You must choose a new password now.\n");
	rc = json_object_set(body, "old_password",
	    json_object_get(login_body, "password"));
	if (rc == 0)
		rc = put_secret(body, "new_password", "YUNSHOU_NEW_PASSWORD",
		    "New password", true);
	if (rc == 0)
		rc = call(ctx, "POST", "/v1/auth/password", NULL, body, true, &out);
	scrub(body, "new_password");
	json_decref(body);
	json_decref(out);
	if (rc != 0) {
		fprintf(stderr, "the session stays restricted until the password "
		    "is changed: run `yunshou passwd`\n");
		return rc;
	}
	if (!ctx->json)
		printf("password changed\n");
	return 0;
}

int
cli_run_login(struct cli_ctx *ctx, struct cli_request *req)
{
	const char *user = json_string_value(json_object_get(req->body, "username"));
	bool has_otp = json_object_get(req->body, "otp") != NULL;
	char what[160], code[64], err[512];
	const char *token;
	struct answer a;
	int rc;

	snprintf(what, sizeof(what), "Password for %s", user);
	rc = put_secret(req->body, "password", "YUNSHOU_PASSWORD", what, false);
	if (rc != 0)
		return rc;
	rc = send_req(ctx, "POST", req->path, NULL, req->body, false, NULL, &a);
	if (rc == 0 && a.status == 401 && !has_otp &&
	    error_code(a.json) != NULL &&
	    strcmp(error_code(a.json), "mfa_required") == 0) {
		answer_free(&a);
		if (cli_tty_ask("MFA code: ", true, code, sizeof(code), err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "error: the account needs an MFA code and "
			    "there is %s\nhint: give it with --otp CODE\n", err);
			rc = CLI_EXIT_API;
			goto out;
		}
		if (json_object_set_new(req->body, "otp", json_string(code)) < 0) {
			rc = CLI_EXIT_API;
			goto out;
		}
		rc = send_req(ctx, "POST", req->path, NULL, req->body, false,
		    NULL, &a);
	}
	if (rc != 0)
		goto out;
	if (!is_success(a.status)) {
		rc = report_error(ctx, &a);
		answer_free(&a);
		goto out;
	}
	token = json_string_value(json_object_get(a.json, "token"));
	if (token == NULL) {
		fprintf(stderr, "error: the server's login answer has no token\n");
		answer_free(&a);
		rc = CLI_EXIT_API;
		goto out;
	}
	rc = save_login(ctx, token, user);
	if (rc != 0) {
		answer_free(&a);
		goto out;
	}
	/* The token is saved; it is never printed, not even with --json. */
	json_object_del(a.json, "token");
	if (ctx->json) {
		cli_out_json(stdout, a.json);
	} else {
		json_t *u = json_object_get(a.json, "user");
		char *role = cli_out_cell(json_object_get(u, "role"));
		char *exp = cli_out_cell(json_object_get(a.json, "expires_at"));

		printf("logged in as %s (%s) at %s; the session expires at %s\n",
		    user, role ? role : "-", ctx->server, exp ? exp : "-");
		free(role);
		free(exp);
	}
	if (json_is_true(json_object_get(a.json, "must_change_password")))
		rc = change_first_password(ctx, req->body);
	if (json_is_true(json_object_get(a.json, "mfa_enrollment_required")))
		fprintf(stderr, "note: this account must enrol MFA before it can "
		    "do anything else: run `yunshou mfa setup`, then "
		    "`yunshou mfa enable --otp CODE`\n");
	answer_free(&a);
out:
	explicit_bzero(code, sizeof(code));
	scrub(req->body, "password");
	return rc;
}

int
cli_run_logout(struct cli_ctx *ctx, struct cli_request *req)
{
	struct answer a;
	char err[512];
	int rc;

	rc = send_req(ctx, "POST", req->path, NULL, req->body, true, NULL, &a);
	if (rc != 0)
		return rc;
	/* 401: the token is dead already; forgetting it is still right. */
	if (!is_success(a.status) && a.status != 401) {
		rc = report_error(ctx, &a);
		answer_free(&a);
		return rc;
	}
	answer_free(&a);
	if (ctx->token_from_session) {
		cli_session_set(&ctx->session->token, NULL);
		ctx->token = NULL;
		if (cli_session_save(ctx->config_dir, ctx->session, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "error: cannot update the saved session: "
			    "%s\n", err);
			return CLI_EXIT_API;
		}
	}
	if (ctx->json)
		printf("{}\n");
	else
		printf("logged out\n");
	return CLI_EXIT_OK;
}

int
cli_run_passwd(struct cli_ctx *ctx, struct cli_request *req)
{
	json_t *out = NULL;
	int rc;

	rc = put_secret(req->body, "old_password", "YUNSHOU_PASSWORD",
	    "Current password", false);
	if (rc == 0)
		rc = put_secret(req->body, "new_password", "YUNSHOU_NEW_PASSWORD",
		    "New password", true);
	if (rc == 0)
		rc = call(ctx, "POST", req->path, NULL, req->body, true, &out);
	scrub(req->body, "old_password");
	scrub(req->body, "new_password");
	if (rc != 0)
		return rc;
	if (ctx->json)
		cli_out_json(stdout, out);
	else
		printf("password changed; your other sessions have ended\n");
	json_decref(out);
	return CLI_EXIT_OK;
}

static int
mfa_setup(struct cli_ctx *ctx)
{
	json_t *out;
	int rc;

	rc = call(ctx, "POST", "/v1/mfa/setup", NULL, NULL, true, &out);
	if (rc != 0)
		return rc;
	if (ctx->json) {
		cli_out_json(stdout, out);
	} else {
		char *secret = cli_out_cell(json_object_get(out, "secret"));
		char *uri = cli_out_cell(json_object_get(out, "otpauth_uri"));

		printf("secret: %s\notpauth URI: %s\n", secret ? secret : "-",
		    uri ? uri : "-");
		free(secret);
		free(uri);
	}
	json_decref(out);
	return CLI_EXIT_OK;
}

int
cli_run_mfa_setup(struct cli_ctx *ctx, struct cli_request *req)
{
	int rc = mfa_setup(ctx);

	(void)req;
	if (rc == 0 && !ctx->json)
		fprintf(stderr, "note: add the secret to an authenticator app, "
		    "then run `yunshou mfa enable --otp CODE`\n");
	return rc;
}

int
cli_run_mfa_enable(struct cli_ctx *ctx, struct cli_request *req)
{
	char code[64], err[512];
	json_t *out;
	int rc;

	if (json_object_get(req->body, "code") == NULL) {
		rc = mfa_setup(ctx);
		if (rc != 0)
			return rc;
		fprintf(stderr, "Add the secret to an authenticator app.\n");
		if (cli_tty_ask("Code from the authenticator: ", true, code,
		    sizeof(code), err, sizeof(err)) < 0) {
			fprintf(stderr, "error: %s\nhint: run `yunshou mfa enable "
			    "--otp CODE` with a code for the secret above\n", err);
			return CLI_EXIT_API;
		}
		if (json_object_set_new(req->body, "code", json_string(code)) < 0)
			return CLI_EXIT_API;
	}
	rc = call(ctx, "POST", req->path, NULL, req->body, true, &out);
	if (rc != 0)
		return rc;
	if (ctx->json)
		cli_out_json(stdout, out);
	else
		printf("MFA enabled\n");
	json_decref(out);
	return CLI_EXIT_OK;
}

int
cli_run_audit_export(struct cli_ctx *ctx, struct cli_request *req)
{
	const char *output = cli_request_local(req, "output");
	char tmp[4096];
	FILE *sink = stdout;
	struct answer a;
	int fd, rc;

	if (output != NULL) {
		/* Into a temporary file beside the target, renamed when the
		 * stream is complete: a failed export leaves no partial file.
		 * mkstemp makes it 0600, right for audit data. */
		if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", output) >=
		    (int)sizeof(tmp)) {
			fprintf(stderr, "error: --output: path too long\n");
			return CLI_EXIT_USAGE;
		}
		fd = mkstemp(tmp);
		if (fd < 0 || (sink = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "error: cannot create %s: %s\n", tmp,
			    strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			return CLI_EXIT_API;
		}
	}
	rc = send_req(ctx, "GET", req->path, req->query, NULL, true, sink, &a);
	if (rc == 0 && !is_success(a.status))
		rc = report_error(ctx, &a);
	answer_free(&a);
	if (output == NULL) {
		if (fflush(stdout) != 0 && rc == 0) {
			fprintf(stderr, "error: writing the output: %s\n",
			    strerror(errno));
			rc = CLI_EXIT_API;
		}
		return rc;
	}
	if (rc == 0 && (fflush(sink) != 0 || fsync(fileno(sink)) < 0)) {
		fprintf(stderr, "error: writing %s: %s\n", tmp, strerror(errno));
		rc = CLI_EXIT_API;
	}
	if (fclose(sink) != 0 && rc == 0) {
		fprintf(stderr, "error: writing %s: %s\n", tmp, strerror(errno));
		rc = CLI_EXIT_API;
	}
	if (rc == 0 && rename(tmp, output) < 0) {
		fprintf(stderr, "error: cannot create %s: %s\n", output,
		    strerror(errno));
		rc = CLI_EXIT_API;
	}
	if (rc != 0) {
		unlink(tmp);
		return rc;
	}
	fprintf(stderr, "wrote %zu bytes to %s\n", a.streamed, output);
	return CLI_EXIT_OK;
}

int
cli_run_audit_verify(struct cli_ctx *ctx, struct cli_request *req)
{
	json_t *out;
	int rc;

	rc = call(ctx, "GET", req->path, NULL, NULL, true, &out);
	if (rc != 0)
		return rc;
	if (ctx->json)
		cli_out_json(stdout, out);
	if (json_is_true(json_object_get(out, "ok"))) {
		if (!ctx->json) {
			char *n = cli_out_cell(json_object_get(out, "entries"));
			char *m = cli_out_cell(json_object_get(out, "checkpoints"));
			char *h = cli_out_cell(json_object_get(out, "head_hash"));

			printf("audit trail OK: %s entries, %s checkpoints, head %s\n",
			    n ? n : "-", m ? m : "-", h ? h : "-");
			free(n);
			free(m);
			free(h);
		}
		rc = CLI_EXIT_OK;
	} else {
		char *seq = cli_out_cell(json_object_get(out, "first_bad_seq"));
		char *why = cli_out_cell(json_object_get(out, "reason"));

		fprintf(stderr, "audit trail BROKEN at entry %s: %s\n",
		    seq ? seq : "-", why ? why : "-");
		free(seq);
		free(why);
		rc = CLI_EXIT_API;
	}
	json_decref(out);
	return rc;
}

/* The self-assessment: the items as a table, then the counts and any
 * deadline that needs action. */
int
cli_run_qual_checklist(struct cli_ctx *ctx, struct cli_request *req)
{
	json_t *out, *sum, *a;
	size_t i;
	int rc;

	rc = call(ctx, "GET", req->path, req->query, NULL, true, &out);
	if (rc != 0)
		return rc;
	show(ctx, req->cmd, out);
	if (!ctx->json) {
		sum = json_object_get(out, "summary");
		printf("\n%s: met %lld, not met %lld, no evidence yet %lld, document pending %lld "
		    "(of %lld)\n", json_string_value(json_object_get(out, "today")),
		    (long long)json_integer_value(json_object_get(sum, "met")),
		    (long long)json_integer_value(json_object_get(sum, "not_met")),
		    (long long)json_integer_value(json_object_get(sum, "no_evidence")),
		    (long long)json_integer_value(json_object_get(sum, "document_pending")),
		    (long long)json_integer_value(json_object_get(sum, "total")));
		json_array_foreach(json_object_get(out, "alerts"), i, a) {
			char *k = cli_out_cell(json_object_get(a, "kind"));
			char *s = cli_out_cell(json_object_get(a, "state"));
			char *d = cli_out_cell(json_object_get(a, "window_end_on"));

			fprintf(stderr, "deadline: %s %s (last day %s)\n", k ? k : "-",
			    s ? s : "-", d ? d : "-");
			free(k);
			free(s);
			free(d);
		}
	}
	json_decref(out);
	return CLI_EXIT_OK;
}

/* A bundle file name: relative, no "..", a plain character set. */
static bool
safe_name(const char *n)
{
	if (n[0] == '\0' || n[0] == '/' || strlen(n) > 200 ||
	    strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") !=
	    strlen(n))
		return false;
	for (const char *p = n; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (p[0] == '.' && (p[1] == '/' || p[1] == '\0' || (p[1] == '.' &&
		    (p[2] == '/' || p[2] == '\0'))))
			return false;
		if (*p == '/' || *p == '\0')
			return false;
	}
	return true;
}

static int
write_bundle_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[4096];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	f = fopen(path, "wx");
	if (f == NULL)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* Every file but MANIFEST is in MANIFEST with the hash of what was written,
 * and every MANIFEST line names a file of the bundle. */
static int
check_manifest(const json_t *files)
{
	const json_t *m = json_object_get(files, "MANIFEST");
	const char *p = json_string_value(m);
	size_t listed = 0;

	if (p == NULL)
		return -1;
	while (*p) {
		const char *nl = strchr(p, '\n');
		char name[256], hex[65];
		uint8_t h[CRYPTO_SHA256_LEN];
		const json_t *f;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len < 67 || len - 66 >= sizeof(name) || p[64] != ' ' || p[65] != ' ')
			return -1;
		memcpy(name, p + 66, len - 66);
		name[len - 66] = '\0';
		f = json_object_get(files, name);
		if (!json_is_string(f))
			return -1;
		crypto_sha256(json_string_value(f), json_string_length(f), h);
		crypto_hex(h, sizeof(h), hex);
		if (strncmp(hex, p, 64) != 0)
			return -1;
		listed++;
		p += len + (nl ? 1 : 0);
	}
	return listed + 1 == json_object_size(files) ? 0 : -1;
}

int
cli_run_qual_export(struct cli_ctx *ctx, struct cli_request *req)
{
	const char *dir = cli_request_local(req, "output"), *name;
	json_t *out, *files, *v;
	size_t n = 0;
	int rc;

	if (dir == NULL || dir[0] == '\0') {
		fprintf(stderr, "error: --output DIR is required\n");
		return CLI_EXIT_USAGE;
	}
	rc = call(ctx, "POST", req->path, NULL, req->body, true, &out);
	if (rc != 0)
		return rc;
	files = json_object_get(out, "files");
	if (!json_is_object(files) || check_manifest(files) < 0) {
		fprintf(stderr, "error: the server's bundle does not match its MANIFEST\n");
		json_decref(out);
		return CLI_EXIT_API;
	}
	json_object_foreach(files, name, v) {
		if (!safe_name(name) || !json_is_string(v)) {
			fprintf(stderr, "error: the server sent a bad file name in the bundle\n");
			json_decref(out);
			return CLI_EXIT_API;
		}
	}
	if (mkdir(dir, 0700) < 0) {
		fprintf(stderr, "error: cannot create %s: %s%s\n", dir, strerror(errno),
		    errno == EEXIST ? " (choose a new directory)" : "");
		json_decref(out);
		return CLI_EXIT_API;
	}
	json_object_foreach(files, name, v) {
		if (write_bundle_file(dir, name, json_string_value(v), json_string_length(v)) < 0) {
			fprintf(stderr, "error: cannot write %s/%s: %s\n", dir, name, strerror(errno));
			json_decref(out);
			return CLI_EXIT_API;
		}
		n++;
	}
	if (ctx->json) {
		json_t *o = json_pack("{s:s, s:I, s:O}", "directory", dir, "files", (json_int_t)n,
		    "manifest_sha256", json_object_get(out, "manifest_sha256"));

		cli_out_json(stdout, o);
		json_decref(o);
	} else {
		printf("wrote %zu files to %s\n", n, dir);
		printf("MANIFEST sha256 %s (recorded in the audit trail); check with: "
		    "cd %s && sha256sum -c MANIFEST\n",
		    json_string_value(json_object_get(out, "manifest_sha256")), dir);
	}
	json_decref(out);
	return CLI_EXIT_OK;
}
