// A Collection: one BPF object with its programs, maps and links.
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

#include <unistd.h>

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "libbpf_log.h"

namespace bpf_addon {

struct ObjectCloser {
  void operator()(bpf_object* obj) const { bpf_object__close(obj); }
};
struct LinkDestroyer {
  void operator()(bpf_link* link) const { bpf_link__destroy(link); }
};
using ObjectPtr = std::unique_ptr<bpf_object, ObjectCloser>;
using LinkPtr = std::unique_ptr<bpf_link, LinkDestroyer>;

enum class Phase { kOpened, kLoading, kLoaded, kLoadFailed, kClosed };

struct CollectionState;
class EventConsumer;
// Stops every running consumer of `s` (events.cc): their libbpf buffers are
// freed at once, while the maps they read are still open.
void StopEventConsumers(CollectionState& s);

// Everything one Collection owns. The JS handle and every running worker hold
// a shared_ptr to it, so neither can free it under the other. `phase` and
// `workers` are only touched on the JS thread.
struct CollectionState {
  explicit CollectionState(bool libbpfDebug) : log(libbpfDebug) {}
  ~CollectionState() { Release(); }

  // Consumers go first: a perf buffer clears its map's slots through the
  // map fd. Links next: each holds its program, so destroying them is what
  // detaches; closing the object then frees programs and maps.
  void Release() {
    StopEventConsumers(*this);
    if (statsFd >= 0) close(statsFd);
    statsFd = -1;
    links.clear();
    obj.reset();
    kernelLog.reset();
    elf = {};
  }

  std::vector<unsigned char> elf;  // our copy: JS may reuse its Buffer
  std::unique_ptr<char[]> kernelLog;  // libbpf keeps this pointer until close
  size_t kernelLogSize = 0;
  __u32 kernelLogLevel = 0;
  LogSink log;
  ObjectPtr obj;
  std::vector<std::pair<bpf_program*, LinkPtr>> links;
  // Each program's verifier statistics (the last lines of its own load log:
  // time, stack depth, processed insns and states), written by the load.
  std::map<const bpf_program*, std::string> verifierStats;
  // BPF_ENABLE_STATS fd: the kernel counts run time while any such fd is open.
  int statsFd = -1;
  Phase phase = Phase::kOpened;
  int workers = 0;  // AsyncWorkers in flight
  // Running ring/perf buffer consumers (events.cc); each removes itself when
  // it stops. JS thread only.
  std::vector<EventConsumer*> consumers;
  uint32_t nextConsumerId = 1;
};

// Adds open, programs, maps, load, attachAll, ... to `exports`.
void InitCollection(Napi::Env env, Napi::Object exports);

}  // namespace bpf_addon
