/* One record per file opened under /tmp/: who opened it, and its name. */
#ifndef OPEN_EVENT_H
#define OPEN_EVENT_H

struct open_event {
	__u32 pid;
	char comm[16];
	char filename[256];
};

#endif
