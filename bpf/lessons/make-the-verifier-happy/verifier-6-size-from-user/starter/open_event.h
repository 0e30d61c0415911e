/* One record per file opened: who opened it, and the start of its name. */
#ifndef OPEN_EVENT_H
#define OPEN_EVENT_H

struct open_event {
	__u32 pid;
	char filename[64];
};

#endif
