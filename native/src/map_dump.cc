#include "map_dump.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace bpf_addon {
namespace {

// Kernel-internal "not supported", returned for map types without batch ops.
constexpr int kENOTSUPP = 524;

// The most entries read at once to get past one oversized hash bucket; a
// bucket bigger than this (only pathological hashing makes one) falls back
// to reading one key at a time.
constexpr size_t kMaxBucketRead = size_t{1} << 16;

enum class BatchOutcome { kDone, kFallBack, kFailed };

// Reads one batch at the cursor into scratch buffers big enough for the
// bucket that did not fit in `room`, and keeps the first `room` entries: the
// map holds more than the caller asked for, so the dump is full.
int ReadOversizedBucket(const DumpRequest& req, void* cursor, void* next, uint32_t room,
                        DumpResult& out, const bpf_map_batch_opts* opts) {
  for (size_t want = std::max<size_t>(size_t{room} * 2, 16); want <= kMaxBucketRead; want *= 2) {
    std::vector<unsigned char> keys(want * req.keySize + 1), values(want * req.valueStride + 1);
    __u32 n = static_cast<__u32>(want);
    int ret = bpf_map_lookup_batch(req.fd, cursor, next, keys.data(), values.data(), &n, opts);
    int err = ret < 0 ? -ret : 0;
    if (err == ENOSPC) continue;
    if (err != 0 && err != ENOENT) return err;
    uint32_t kept = std::min<uint32_t>(n, room);
    std::memcpy(out.keys.data() + out.count * req.keySize, keys.data(), kept * req.keySize);
    std::memcpy(out.values.data() + out.count * req.valueStride, values.data(),
                kept * req.valueStride);
    out.count += kept;
    return 0;
  }
  return ENOSPC;
}

BatchOutcome DumpBatched(const DumpRequest& req, DumpResult& out) {
  // The cursor is a u32 bucket index for hash maps and a whole key for the
  // generic (array) implementation; make room for either.
  const size_t tokenSize = std::max<size_t>(req.keySize, 8);
  std::vector<unsigned char> cursor(tokenSize), next(tokenSize);
  bpf_map_batch_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;
  opts.elem_flags = req.elemFlags;

  bool first = true;
  while (out.count < req.max) {
    __u32 room = req.max - out.count;
    __u32 n = room;
    void* in = first ? nullptr : cursor.data();
    int ret = bpf_map_lookup_batch(req.fd, in, next.data(),
                                   out.keys.data() + out.count * req.keySize,
                                   out.values.data() + out.count * req.valueStride, &n, &opts);
    int err = ret < 0 ? -ret : 0;
    if (err == ENOSPC) {
      // A hash map copies whole buckets: the next one holds more entries than
      // `room`. The map then has more than `max` entries; take what fits.
      err = ReadOversizedBucket(req, in, next.data(), room, out, &opts);
      if (err == ENOSPC) return BatchOutcome::kFallBack;
      if (err) {
        out.err = err;
        return BatchOutcome::kFailed;
      }
      break;
    }
    if (err != 0 && err != ENOENT) {
      // EINVAL/ENOTSUPP/EOPNOTSUPP: no batch op for this map type; read it
      // one key at a time.
      if (err == EINVAL || err == kENOTSUPP || err == EOPNOTSUPP) return BatchOutcome::kFallBack;
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
    if (bpf_map_lookup_elem_flags(req.fd, key.data(), value, req.elemFlags) < 0) {
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
