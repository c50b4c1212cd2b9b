/*
 * qual_deadlines: calendar arithmetic of the certificate's life cycle
 * (MISSION §5). Pure functions over day numbers, so that every rule —
 * anniversaries, 29 February, the 30- and 90-day windows, expiry — is
 * tested without a clock or a store.
 */
#include "qual.h"

#include <string.h>
#include <time.h>

/* Days from civil and back (H. Hinnant's algorithms, proleptic Gregorian). */
int64_t
qual_day(int y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
qual_ymd(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int
qual_date_parse(const char *s, int64_t *day)
{
	int v[3] = { 0, 0, 0 };
	static const int width[3] = { 4, 2, 2 };
	const char *p = s;

	if (s == NULL || strlen(s) != 10)
		return -1;
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < width[k]; i++, p++) {
			if (*p < '0' || *p > '9')
				return -1;
			v[k] = v[k] * 10 + (*p - '0');
		}
		if (k < 2 && *p++ != '-')
			return -1;
	}
	if (v[0] < 1900 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > month_days(v[0], v[1]))
		return -1;
	*day = qual_day(v[0], v[1], v[2]);
	return 0;
}

void
qual_date_text(int64_t day, char *out)
{
	int y, m, d;

	qual_ymd(day, &y, &m, &d);
	y = y < 0 ? 0 : y % 10000;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

int64_t
qual_add_years(int64_t day, int years)
{
	int y, m, d;

	qual_ymd(day, &y, &m, &d);
	y += years;
	if (m == 2 && d == 29 && !is_leap(y))
		d = 28;
	return qual_day(y, m, d);
}

int64_t
qual_today(void)
{
	int64_t now = (int64_t)time(NULL) + 8 * 3600;

	return now >= 0 ? now / 86400 : (now - 86399) / 86400;
}

int64_t
qual_cert_expiry(int64_t issued)
{
	return qual_add_years(issued, QUAL_CERT_YEARS);
}

size_t
qual_cert_windows(int64_t issued, struct qual_window out[3])
{
	size_t n = 0;

	for (int k = 1; k < QUAL_CERT_YEARS; k++) {
		int64_t a = qual_add_years(issued, k);

		out[n++] = (struct qual_window){ QUAL_W_SURVEY, k, a - QUAL_SURVEY_DAYS, a };
	}
	out[n] = (struct qual_window){ QUAL_W_RENEWAL, QUAL_CERT_YEARS,
	    qual_cert_expiry(issued) - QUAL_RENEWAL_DAYS, qual_cert_expiry(issued) };
	return n + 1;
}

enum qual_window_state
qual_window_state(const struct qual_window *w, int64_t today, bool filed)
{
	if (filed)
		return QUAL_W_DONE;
	if (today < w->opens)
		return QUAL_W_UPCOMING;
	if (today < w->due)
		return QUAL_W_OPEN;
	return QUAL_W_OVERDUE;
}

const char *
qual_window_state_name(enum qual_window_state s)
{
	static const char *const names[] = { "upcoming", "open", "overdue", "done" };

	return names[s];
}
