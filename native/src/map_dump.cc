#include "map_dump.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace bpf_addon {
namespace {

// Kernel-internal "not supported", returned for map types without batch ops.
constexpr int kENOTSUPP = 524;

enum class BatchOutcome { kDone, kFallBack, kFailed };

BatchOutcome DumpBatched(const DumpRequest& req, DumpResult& out) {
  // The cursor is a u32 bucket index for hash maps and a whole key for the
  // generic (array) implementation; make room for either.
  const size_t tokenSize = std::max<size_t>(req.keySize, 8);
  std::vector<unsigned char> cursor(tokenSize), next(tokenSize);
  bpf_map_batch_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;

  bool first = true;
  while (out.count < req.max) {
    __u32 n = req.max - out.count;
    int ret = bpf_map_lookup_batch(req.fd, first ? nullptr : cursor.data(), next.data(),
                                   out.keys.data() + out.count * req.keySize,
                                   out.values.data() + out.count * req.valueStride, &n, &opts);
    int err = ret < 0 ? -ret : 0;
    if (err != 0 && err != ENOENT) {
      // EINVAL/ENOTSUPP/EOPNOTSUPP: no batch op for this map type. ENOSPC: a
      // hash bucket holds more entries than the room left. Either way, start
      // over one key at a time.
      if (err == EINVAL || err == kENOTSUPP || err == EOPNOTSUPP || err == ENOSPC)
        return BatchOutcome::kFallBack;
      out.err = err;
      return BatchOutcome::kFailed;
    }
    out.count += n;
    // ENOENT means the walk reached the end; `n` still counts what it copied.
    if (err == ENOENT || n == 0) break;
    std::swap(cursor, next);
    first = false;
  }
  out.batched = true;
  return BatchOutcome::kDone;
}

void DumpIterated(const DumpRequest& req, DumpResult& out) {
  out.count = 0;
  // Zero-sized keys (queue/stack maps) still need a valid pointer.
  std::vector<unsigned char> prev(std::max<size_t>(req.keySize, 1)), key(prev.size());
  bool havePrev = false;
  while (out.count < req.max) {
    if (bpf_map_get_next_key(req.fd, havePrev ? prev.data() : nullptr, key.data()) < 0) {
      if (errno != ENOENT) out.err = errno;
      return;
    }
    unsigned char* value = out.values.data() + out.count * req.valueStride;
    if (bpf_map_lookup_elem(req.fd, key.data(), value) < 0) {
      // Deleted by a program between the two calls: skip it.
      if (errno != ENOENT) {
        out.err = errno;
        return;
      }
    } else {
      std::memcpy(out.keys.data() + out.count * req.keySize, key.data(), req.keySize);
      ++out.count;
    }
    std::swap(prev, key);
    havePrev = true;
  }
}

}  // namespace

DumpResult DumpMap(const DumpRequest& req) {
  DumpResult out;
  // +1 so data() is never null for zero-sized keys or values.
  out.keys.resize(size_t{req.max} * req.keySize + 1);
  out.values.resize(size_t{req.max} * req.valueStride + 1);
  if (req.tryBatch && DumpBatched(req, out) != BatchOutcome::kFallBack) return out;
  out.err = 0;
  DumpIterated(req, out);
  return out;
}

}  // namespace bpf_addon
