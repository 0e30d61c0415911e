/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record both halves agree on: the BPF program fills it in the ring
 * buffer, user space (the playground's Events pane, or an exported loader)
 * reads it. Kept in a header of its own so a loader can include it too.
 */
#ifndef PLAYGROUND_LIFECYCLE_H
#define PLAYGROUND_LIFECYCLE_H

#define COMM_BYTES 16
#define PATH_BYTES 127

struct event {
	int pid;
	int ppid;
	unsigned exit_code;
	unsigned long long duration_ns;
	char comm[COMM_BYTES];
	char filename[PATH_BYTES];
	bool exit_event;
};

#endif
