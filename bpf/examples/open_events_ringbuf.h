/* SPDX-License-Identifier: GPL-2.0 */
/* The record shared between the BPF program and user space. */
#ifndef OPEN_EVENTS_RINGBUF_H
#define OPEN_EVENTS_RINGBUF_H

#define FILENAME_LEN 64

struct open_event {
	__u32 pid;
	char comm[16];
	char filename[FILENAME_LEN];
};

#endif
