/* SPDX-License-Identifier: GPL-2.0 */
/* The record the BPF program sends and user space receives. */
#ifndef OPEN_EVENT_H
#define OPEN_EVENT_H

#define COMM_LEN 16
#define FILENAME_LEN 128

struct open_event {
	__u32 pid;
	char comm[COMM_LEN];
	char filename[FILENAME_LEN];
};

#endif
