/*
 * tty: prompts on the controlling terminal. While echo is off, SIGINT,
 * SIGTERM, SIGQUIT and SIGHUP restore the terminal before the process dies,
 * so an interrupted password prompt does not leave the shell without echo.
 */
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int tty_fd = -1;
static struct termios tty_saved;
static volatile sig_atomic_t tty_echo_off;

static const int tty_signals[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP };
#define NSIGNALS (sizeof(tty_signals) / sizeof(tty_signals[0]))

static void
on_signal(int sig)
{
	if (tty_echo_off)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

int
cli_tty_ask(const char *prompt, bool echo, char *buf, size_t len,
    char *err, size_t errlen)
{
	struct sigaction sa, old[NSIGNALS];
	struct termios t;
	size_t n = 0;
	int rc = -1;
	char ch;

	tty_fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty_fd < 0) {
		snprintf(err, errlen, "no terminal to ask on");
		return -1;
	}
	if (write(tty_fd, prompt, strlen(prompt)) < 0) {
		snprintf(err, errlen, "cannot write to the terminal: %s",
		    strerror(errno));
		goto out;
	}
	if (!echo) {
		if (tcgetattr(tty_fd, &tty_saved) < 0) {
			snprintf(err, errlen, "cannot turn off echo: %s",
			    strerror(errno));
			goto out;
		}
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < NSIGNALS; i++)
			sigaction(tty_signals[i], &sa, &old[i]);
		t = tty_saved;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tty_echo_off = 1;
		if (tcsetattr(tty_fd, TCSAFLUSH, &t) < 0) {
			snprintf(err, errlen, "cannot turn off echo: %s",
			    strerror(errno));
			goto restore;
		}
	}
	for (;;) {
		ssize_t r = read(tty_fd, &ch, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "no answer on the terminal");
			goto restore;
		}
		if (ch == '\n')
			break;
		if (n + 1 >= len) {
			snprintf(err, errlen, "answer too long");
			goto restore;
		}
		buf[n++] = ch;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	rc = 0;
restore:
	if (!echo) {
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
		tty_echo_off = 0;
		for (size_t i = 0; i < NSIGNALS; i++)
			sigaction(tty_signals[i], &old[i], NULL);
		(void)!write(tty_fd, "\n", 1);
	}
	if (rc < 0)
		explicit_bzero(buf, len);
out:
	ch = 0;
	close(tty_fd);
	tty_fd = -1;
	return rc;
}

int
cli_tty_secret(const char *env, const char *what, bool confirm, char *buf,
    size_t len, char *err, size_t errlen)
{
	const char *v = env ? getenv(env) : NULL;
	char prompt[128], again[CLI_SECRET_MAX];
	char why[256];

	if (v != NULL && v[0] != '\0') {
		if (strlen(v) >= len) {
			snprintf(err, errlen, "%s is too long", env);
			return -1;
		}
		memcpy(buf, v, strlen(v) + 1);
		return 0;
	}
	snprintf(prompt, sizeof(prompt), "%s: ", what);
	if (cli_tty_ask(prompt, false, buf, len, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s; set %s to give it without a "
		    "terminal", what, why, env ? env : "it");
		return -1;
	}
	if (buf[0] == '\0') {
		snprintf(err, errlen, "%s: empty", what);
		return -1;
	}
	if (!confirm)
		return 0;
	snprintf(prompt, sizeof(prompt), "%s (again): ", what);
	if (cli_tty_ask(prompt, false, again, sizeof(again), why,
	    sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", what, why);
		explicit_bzero(buf, len);
		return -1;
	}
	if (strcmp(buf, again) != 0) {
		snprintf(err, errlen, "%s: the two entries differ", what);
		explicit_bzero(buf, len);
		explicit_bzero(again, sizeof(again));
		return -1;
	}
	explicit_bzero(again, sizeof(again));
	return 0;
}
