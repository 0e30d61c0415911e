// SPDX-License-Identifier: GPL-2.0
/*
 * The playground's target program: what uprobes and USDT probes watch. The
 * playground starts one per Run that needs it, as nobody, and it calls its
 * own functions ten times a second until the Run stops:
 *
 *   uprobe  playground_add(a, b)        returns a + b
 *   uprobe  playground_greet(name)      a name from a short list
 *   usdt    playground:tick(round, sum) once per round
 *
 * Built by scripts/setup.sh with the host's cc; the same binary is in the
 * VMs' root image.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/sdt.h>
#include <time.h>
#include <unistd.h>

/* noinline and used: each call stays a call, with a symbol a uprobe can name. */
__attribute__((noinline, used)) int playground_add(int a, int b)
{
	return a + b;
}

__attribute__((noinline, used)) size_t playground_greet(const char *name)
{
	size_t length = 0;

	while (name[length])
		length++;
	return length;
}

int main(void)
{
	static const char *const names[] = { "ada", "grace", "linus", "margaret", "ken" };
	const struct timespec pause = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };
	volatile size_t total = 0;

	/* Ends with whoever started it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	printf("playground-target: pid %d, calling playground_add and playground_greet ten times a second\n", (int)getpid());
	fflush(stdout);
	for (int round = 1;; round++) {
		int sum = playground_add(round, 2 * round);

		total += playground_greet(names[round % 5]);
		DTRACE_PROBE2(playground, tick, round, sum);
		nanosleep(&pause, NULL);
	}
	return 0;
}
