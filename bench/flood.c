/*
 * The syscall flood for the trace throughput benchmark. It prints
 * "ready <SYS_getppid>" and then, for each line "<ms>" read on stdin, calls
 * getppid() in a tight loop for that many milliseconds (at most 10 s and
 * 50 million calls) and prints "<calls> <elapsed ms>". It exits on EOF, so it
 * cannot outlive the benchmark that feeds it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_MS 10000L
#define MAX_CALLS 50000000UL

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: not a syscall */
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(void)
{
	char line[64];

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("ready %d\n", (int)SYS_getppid);
	while (fgets(line, sizeof(line), stdin)) {
		long ms = atol(line);
		unsigned long calls = 0;
		double start, elapsed;

		if (ms <= 0 || ms > MAX_MS)
			ms = ms <= 0 ? 1 : MAX_MS;
		start = now_ms();
		do {
			for (int i = 0; i < 256; i++)
				syscall(SYS_getppid);
			calls += 256;
			elapsed = now_ms() - start;
		} while (elapsed < ms && calls < MAX_CALLS);
		printf("%lu %.3f\n", calls, elapsed);
	}
	return 0;
}
