// Streaming records out of ring buffer and perf event array maps.
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "collection.h"

namespace bpf_addon {

struct ConsumeRequest {
  bpf_map* map = nullptr;  // BPF_MAP_TYPE_RINGBUF or BPF_MAP_TYPE_PERF_EVENT_ARRAY
  std::string name;        // for messages
  size_t perfPages = 8;    // per-CPU pages of a perf buffer (a power of two)
  size_t maxBatch = 1024;  // records per JS call
  // One pass takes at most this much from the kernel; the rest waits for the next.
  size_t passRecords = 64 * 1024;
  size_t passBytes = 16 * 1024 * 1024;
};

// Starts streaming `request.map` of the loaded collection `s` to `callback`,
// called on the loop thread as callback(data: Buffer, ends: Uint32Array,
// lost: number): record i is data[ends[i-1] .. ends[i]). `handle` is the
// collection's JS handle, kept alive while the consumer runs. Returns the
// consumer's id; throws a BpfError when libbpf fails.
uint32_t StartEventConsumer(Napi::Env env, Napi::Object handle, CollectionState& s,
                            const ConsumeRequest& request, Napi::Function callback);

// Stops one consumer; unknown or already stopped ids are ignored.
void StopEventConsumer(CollectionState& s, uint32_t id);

}  // namespace bpf_addon
