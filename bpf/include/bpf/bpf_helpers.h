/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The playground's <bpf/bpf_helpers.h>: libbpf's, plus a bpf_printk that puts
 * the session's secret tag before every line. The kernel has one trace
 * stream for everyone; the tag lets the backend hand each line to the session
 * whose program printed it, and no other session can forge it. The backend
 * strips the tag before the line is shown.
 */
#ifndef __PLAYGROUND_BPF_HELPERS_H
#define __PLAYGROUND_BPF_HELPERS_H

#include_next <bpf/bpf_helpers.h>

#ifdef PLAYGROUND_TRACE_TAG
#undef bpf_printk
#define bpf_printk(fmt, args...) ___bpf_pick_printk(args)(PLAYGROUND_TRACE_TAG fmt, ##args)
#endif

#endif
