/*
 * httpc: one HTTPS exchange with yunshoud through a libcurl easy handle.
 * A private CA is trusted by giving its bundle (--ca), not by skipping
 * checks; the only unverified request is a node's bootstrap fetch of the CA
 * certificate itself (httpc.h says why that is safe).
 * A body is either collected in memory (capped at HTTPC_MAX_BODY) or,
 * for audit export, streamed to a FILE once the status says success; an
 * error answer is always collected so that its JSON can be shown.
 */
#include "httpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "log.h"

#ifndef YS_VERSION
#define YS_VERSION "0.1.0"
#endif

#define CONNECT_TIMEOUT_S 10L
#define TOTAL_TIMEOUT_S 120L
/* Streaming has no total limit; a stalled stream still ends. */
#define STALL_TIME_S 60L

struct sink_state {
	CURL *curl;
	struct httpc_resp *resp;
	FILE *sink;
	bool too_large;
	int write_errno;	/* sink write failed */
	bool oom;
	size_t max_stream;
};

static size_t
on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct sink_state *st = ud;
	struct httpc_resp *resp = st->resp;
	size_t n = size * nmemb;
	char *grown;

	if (st->sink != NULL) {
		long code = 0;

		curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200 && code < 300) {
			if (st->max_stream && resp->streamed + n > st->max_stream) {
				st->too_large = true;
				return 0;
			}
			if (fwrite(data, 1, n, st->sink) != n) {
				st->write_errno = errno ? errno : EIO;
				return 0;
			}
			resp->streamed += n;
			return n;
		}
	}
	if (n > HTTPC_MAX_BODY - resp->len) {
		st->too_large = true;
		return 0;
	}
	grown = realloc(resp->body, resp->len + n + 1);
	if (grown == NULL) {
		st->oom = true;
		return 0;
	}
	memcpy(grown + resp->len, data, n);
	resp->body = grown;
	resp->len += n;
	resp->body[resp->len] = '\0';
	return n;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	struct httpc_resp *resp = ud;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";

	if (n > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
		char buf[32];
		size_t len = n - (sizeof(name) - 1);
		char *end;
		long v;

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, data + sizeof(name) - 1, len);
		buf[len] = '\0';
		v = strtol(buf, &end, 10);
		if (end != buf && v >= 0)
			resp->retry_after = v;
	}
	return n;
}

static char *
make_url(const struct httpc_req *req)
{
	size_t n = strlen(req->server) + strlen(req->path) +
	    (req->query ? strlen(req->query) + 1 : 0) + 1;
	char *url = malloc(n);

	if (url != NULL)
		snprintf(url, n, "%s%s%s%s", req->server, req->path,
		    req->query ? "?" : "", req->query ? req->query : "");
	return url;
}

int
httpc_request(const struct httpc_req *req, struct httpc_resp *resp,
    char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	char auth[1024];
	struct curl_slist *hdrs = NULL, *h;
	struct sink_state st = { 0 };
	char *url = NULL, *body = NULL;
	CURL *c = NULL;
	CURLcode cc;
	int rc = -2;

	memset(resp, 0, sizeof(*resp));
	resp->retry_after = -1;
	auth[0] = '\0';

	c = curl_easy_init();
	url = make_url(req);
	if (c == NULL || url == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	h = curl_slist_append(hdrs, "Accept: application/json");
	if (h != NULL)
		hdrs = h;
	if (h != NULL && strcmp(req->method, "POST") == 0) {
		h = curl_slist_append(hdrs, "Content-Type: application/json");
		if (h != NULL)
			hdrs = h;
	}
	if (h != NULL && req->token != NULL) {
		int n;

		/* A token is printable ASCII; anything else (a newline from a
		 * careless copy) would corrupt or inject headers. */
		for (const char *p = req->token; *p; p++) {
			if (*p <= 0x20 || *p >= 0x7f) {
				snprintf(err, errlen, "the token holds characters "
				    "a token cannot have (check YUNSHOU_TOKEN / --token)");
				goto out;
			}
		}
		n = snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    req->token);

		if (n < 0 || (size_t)n >= sizeof(auth)) {
			snprintf(err, errlen, "token too long");
			goto out;
		}
		h = curl_slist_append(hdrs, auth);
		if (h != NULL)
			hdrs = h;
	}
	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}

	st.curl = c;
	st.resp = resp;
	st.sink = req->sink;
	st.max_stream = req->max_stream;
	curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (req->bootstrap_unverified && strcmp(req->method, "GET") == 0 && req->token == NULL) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	if (req->ca != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, req->ca);
	if (req->cert != NULL) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, req->cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, req->key);
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	if (req->sink != NULL) {
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, STALL_TIME_S);
	} else {
		curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout_s > 0 ? req->timeout_s
		    : TOTAL_TIMEOUT_S);
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)HTTPC_MAX_BODY);
	}
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "yunshou/" YS_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);

	if (strcmp(req->method, "POST") == 0) {
		body = req->body ? json_dumps(req->body, JSON_COMPACT) :
		    strdup("{}");
		if (body == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	} else if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	}

	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	log_debug("http: %s %s -> %ld (%s)", req->method, req->path,
	    resp->status, curl_easy_strerror(cc));
	if (st.too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "the answer is larger than %zu MiB",
		    (req->sink && req->max_stream ? req->max_stream : HTTPC_MAX_BODY) / (1024 * 1024));
	} else if (st.write_errno != 0) {
		snprintf(err, errlen, "cannot write the output: %s",
		    strerror(st.write_errno));
	} else if (st.oom) {
		snprintf(err, errlen, "out of memory");
	} else if (cc != CURLE_OK) {
		snprintf(err, errlen, "%s",
		    errbuf[0] ? errbuf : curl_easy_strerror(cc));
		rc = -1;
	} else {
		rc = 0;
	}
out:
	if (body != NULL) {
		explicit_bzero(body, strlen(body));	/* may hold a password */
		free(body);
	}
	explicit_bzero(auth, sizeof(auth));
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	free(url);
	return rc;
}

void
httpc_resp_free(struct httpc_resp *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}
