/*
 * bench_detector: the cost of the scrubber's detector per sample and per
 * protected IP, so the 100 ms sampling loop can be sized: N targets (default
 * 4096) with the default 10-minute P95 window are fed noisy legitimate
 * traffic (baselines warm, a bucket closes every 10 samples), then one in
 * 64 targets is flooded. Prints ns per det_feed and the share of a 100 ms
 * tick that N targets take. Never fails on a time.
 *
 *   bench_detector [N] [SECONDS_OF_TRAFFIC]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detector.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 4096;
	unsigned secs = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 120;
	struct scrub_thresholds th = { .baseline_pct = 400, .min_pps = 2000, .consecutive = 3,
		.quiet_ms = 5000 };
	struct det_target *t = calloc(n, sizeof(*t));
	struct det_config cfg;
	struct det_sample s;
	unsigned long long feeds = 0, starts = 0;
	double t0, el;

	if (t == NULL || n == 0)
		return 1;
	det_config_default(&cfg);
	for (size_t i = 0; i < n; i++)
		if (det_target_init(&t[i], &cfg, &th) < 0)
			return 1;
	memset(&s, 0, sizeof(s));
	s.interval_ms = 100;
	t0 = now_s();
	for (unsigned k = 0; k < secs * 10; k++) {
		s.t_ms = (uint64_t)(k + 1) * 100;
		for (size_t i = 0; i < n; i++) {
			bool flood = k > secs * 10 - 100 && i % 64 == 0;

			s.pps = flood ? 500000 : 5000 * (1.0 + 0.2 * sin((double)(k + i)));
			s.bps = s.pps * 4000;
			s.vec_pps[DET_V_SYN] = flood ? s.pps : 0;
			s.vec_pps[DET_V_UDP] = flood ? 0 : s.pps * 0.3;
			starts += det_feed(&t[i], &s) == DET_EV_START;
			feeds++;
		}
	}
	el = now_s() - t0;
	printf("detector: %zu protected IPs, %u s of 100 ms samples: %llu samples in %.2f s\n",
	    n, secs, feeds, el);
	printf("detector: %.0f ns per sample per IP; one 100 ms tick for %zu IPs: %.2f ms "
	    "(%.1f %% of the tick); %llu attacks declared (expected %zu)\n",
	    el / (double)feeds * 1e9, n, el / (secs * 10) * 1e3, el / (secs * 10) / 0.1 * 100,
	    starts, (n + 63) / 64);
	printf("detector: baseline memory %.1f KiB per IP (%u-bucket window)\n",
	    3.0 * cfg.n_buckets * sizeof(float) / 1024.0 +
	    cfg.timeline_max * sizeof(struct det_point) / 1024.0, cfg.n_buckets);
	for (size_t i = 0; i < n; i++)
		det_target_free(&t[i]);
	free(t);
	return 0;
}
