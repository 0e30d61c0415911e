// Reading many map entries at once, off the JS thread. Plain C++: only
// bpf(2) calls on a map fd, no libbpf object and no JS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bpf_addon {

struct DumpRequest {
  int fd = -1;
  size_t keySize = 0;
  size_t valueStride = 0;  // value size, or the whole per-CPU row for per-CPU maps
  uint32_t max = 0;
  bool tryBatch = true;
  uint64_t elemFlags = 0;  // BPF_F_LOCK: copy each value while holding its bpf_spin_lock
};

struct DumpResult {
  std::vector<unsigned char> keys;    // count * keySize bytes are valid
  std::vector<unsigned char> values;  // count * valueStride bytes are valid
  uint32_t count = 0;
  bool batched = false;
  int err = 0;                        // positive errno when the dump failed
};

// Tries BPF_MAP_LOOKUP_BATCH first; falls back to get_next_key + lookup when
// the kernel has no batch op for this map type.
DumpResult DumpMap(const DumpRequest& request);

}  // namespace bpf_addon
