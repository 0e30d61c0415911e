// The JS-facing functions for a Collection. Each takes a type-tagged handle as
// its first argument; the TypeScript Collection class owns that handle and
// validates every other argument before it gets here.
#include "collection.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "bpf_error.h"
#include "events.h"
#include "map_dump.h"

namespace bpf_addon {
namespace {

// Marks handles made by this addon, so a foreign object is never unwrapped
// as ours.
constexpr napi_type_tag kCollectionTag = {0x5d1c3a0e7b2f4c61ULL, 0x9e84b0d2a6f35c17ULL};

// The smallest kernel verifier log buffer (the kernel rejects smaller ones).
constexpr uint32_t kMinLogSize = 128;

struct Handle {
  std::shared_ptr<CollectionState> state;
  bool hookPending = false;  // our env cleanup hook is still registered
};

void CloseState(CollectionState& s) {
  s.phase = Phase::kClosed;
  // Consumers only read maps through their own buffers: stop them now, even
  // while a worker still holds the object.
  StopEventConsumers(s);
  // A worker still uses the object: it releases it when it finishes.
  if (s.workers == 0) s.Release();
}

// Environment teardown closes whatever JS left open.
void CleanupHook(void* arg) {
  auto* handle = static_cast<Handle*>(arg);
  handle->hookPending = false;
  CloseState(*handle->state);
}

void FinalizeHandle(napi_env env, void* data, void* /*hint*/) {
  auto* handle = static_cast<Handle*>(data);
  if (handle->hookPending) napi_remove_env_cleanup_hook(env, CleanupHook, handle);
  CloseState(*handle->state);
  delete handle;
}

Handle& HandleOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject() || !info[0].As<Napi::Object>().CheckTypeTag(&kCollectionTag))
    throw Napi::TypeError::New(env, "expected a collection handle");
  void* data = nullptr;
  if (napi_unwrap(env, info[0], &data) != napi_ok || data == nullptr)
    throw Napi::TypeError::New(env, "expected a collection handle");
  return *static_cast<Handle*>(data);
}

Napi::Buffer<uint8_t> BufferArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (!info[index].IsBuffer())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Buffer");
  return info[index].As<Napi::Buffer<uint8_t>>();
}

std::string StringArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (!info[index].IsString())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a string");
  return info[index].As<Napi::String>().Utf8Value();
}

int64_t IntegerArg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (!info[index].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  return info[index].As<Napi::Number>().Int64Value();
}

// State errors. errno values are the nearest kernel meaning; `code` says
// exactly what happened.
ErrorInfo ClosedError() {
  return StateFailure(EBADF, "ECLOSED", "the collection is closed");
}
ErrorInfo BusyError() {
  return StateFailure(EBUSY, "EBUSY", "the collection is busy loading");
}
ErrorInfo NotLoadedError(const CollectionState& s, const std::string& what) {
  return StateFailure(EBADFD, "ENOTLOADED",
                      what + ": " +
                          (s.phase == Phase::kLoadFailed
                               ? "the collection failed to load; open the object again"
                               : "the collection is not loaded yet; call load() first"));
}

// Throws unless a synchronous call may use the libbpf object now: a load in
// flight owns it.
void RequireIdle(Napi::Env env, const CollectionState& s) {
  if (s.phase == Phase::kClosed) ThrowBpfError(env, ClosedError());
  if (s.phase == Phase::kLoading) ThrowBpfError(env, BusyError());
}

void RequireLoaded(Napi::Env env, const CollectionState& s, const std::string& what) {
  RequireIdle(env, s);
  if (s.phase != Phase::kLoaded) ThrowBpfError(env, NotLoadedError(s, what));
}

bpf_map* FindMap(Napi::Env env, const CollectionState& s, const std::string& name) {
  bpf_map* map = bpf_object__find_map_by_name(s.obj.get(), name.c_str());
  if (map == nullptr)
    ThrowBpfError(env, StateFailure(ENOENT, "ENOENT", "no map named '" + name + "'"));
  return map;
}

// The kernel wants a NULL key for maps whose keys are zero bytes (queue and
// stack maps: an update there is a push), and refuses any other pointer.
const void* KeyPointer(const Napi::Buffer<uint8_t>& key) {
  return key.Length() == 0 ? nullptr : key.Data();
}

int PossibleCpus(Napi::Env env) {
  int n = libbpf_num_possible_cpus();
  if (n <= 0) ThrowBpfError(env, CallFailure(n < 0 ? -n : EINVAL, "reading possible CPUs failed"));
  return n;
}

// Bytes user space reads or writes per value. Per-CPU maps hand over one
// 8-byte-aligned slot per possible CPU.
size_t ValueStride(Napi::Env env, const bpf_map* map) {
  size_t size = bpf_map__value_size(map);
  switch (bpf_map__type(map)) {
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
      return ((size + 7) & ~size_t{7}) * static_cast<size_t>(PossibleCpus(env));
    default:
      return size;
  }
}

// libbpf names internal maps "<object>.bss" for the kernel but finds them by
// section name (".bss"); report the name that map lookups accept.
std::string UserMapName(const bpf_object* obj, const bpf_map* map) {
  const char* name = bpf_map__name(map);
  if (!bpf_map__is_internal(map)) return name;
  for (const char* dot = std::strchr(name, '.'); dot != nullptr; dot = std::strchr(dot + 1, '.'))
    if (bpf_object__find_map_by_name(obj, dot) == map) return dot;
  return name;
}

// How many instructions the verifier processed for a loaded program (bpf_prog_info,
// kernel 5.16+): veristat's "total insns", for every program of an object, passed or not.
Napi::Value VerifiedInsns(Napi::Env env, int fd) {
  if (fd < 0) return env.Null();
  bpf_prog_info info{};
  __u32 len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0 || info.verified_insns == 0) return env.Null();
  return Napi::Number::New(env, info.verified_insns);
}

Napi::Value KernelId(Napi::Env env, int fd, bool isProgram) {
  if (fd < 0) return env.Null();
  int err;
  uint32_t id;
  if (isProgram) {
    bpf_prog_info info{};
    __u32 len = sizeof info;
    err = bpf_obj_get_info_by_fd(fd, &info, &len);
    id = info.id;
  } else {
    bpf_map_info info{};
    __u32 len = sizeof info;
    err = bpf_obj_get_info_by_fd(fd, &info, &len);
    id = info.id;
  }
  return err ? env.Null() : Napi::Value(Napi::Number::New(env, id));
}

Napi::Value NullableString(Napi::Env env, const char* text) {
  return text ? Napi::Value(Napi::String::New(env, text)) : env.Null();
}

// ---------------------------------------------------------------------------

// open(elf: Buffer, name: string | null, logLevel: number, logSize: number,
//      libbpfDebug: boolean, btfPath: string | null) -> handle
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Buffer<uint8_t> elf = BufferArg(info, 0, "object");
  bool hasName = info[1].IsString();
  std::string name = hasName ? info[1].As<Napi::String>().Utf8Value() : std::string();
  int64_t logLevel = IntegerArg(info, 2, "logLevel");
  int64_t logSize = IntegerArg(info, 3, "logSize");
  bool libbpfDebug = info[4].ToBoolean();
  bool hasBtfPath = info.Length() > 5 && info[5].IsString();
  std::string btfPath = hasBtfPath ? info[5].As<Napi::String>().Utf8Value() : std::string();
  if (logLevel < 0 || logLevel > 2 || logSize < kMinLogSize || logSize > UINT32_MAX >> 2)
    throw Napi::RangeError::New(env, "logLevel or logSize out of range");

  auto state = std::make_shared<CollectionState>(libbpfDebug);
  state->elf.assign(elf.Data(), elf.Data() + elf.Length());
  state->kernelLogSize = static_cast<size_t>(logSize);
  state->kernelLogLevel = static_cast<__u32>(logLevel);
  state->kernelLog.reset(new char[state->kernelLogSize]);
  state->kernelLog[0] = '\0';

  // Not LIBBPF_OPTS: its statement expression is not C++.
  bpf_object_open_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;
  opts.object_name = hasName ? name.c_str() : nullptr;
  opts.kernel_log_buf = state->kernelLog.get();
  opts.kernel_log_size = state->kernelLogSize;
  opts.kernel_log_level = static_cast<__u32>(logLevel);
  // CO-RE relocations against this BTF instead of the kernel's: a minimal one
  // (bpftool gen min_core_btf) saves parsing all of /sys/kernel/btf/vmlinux.
  opts.btf_custom_path = hasBtfPath ? btfPath.c_str() : nullptr;

  bpf_object* obj;
  int err;
  {
    ScopedLogSink scope(&state->log);
    obj = bpf_object__open_mem(state->elf.data(), state->elf.size(), &opts);
    err = errno;
  }
  if (obj == nullptr) ThrowBpfError(env, CallFailure(err, "open failed", state->log.Text()));
  state->obj.reset(obj);

  Napi::Object handleObject = Napi::Object::New(env);
  handleObject.TypeTag(&kCollectionTag);
  auto* handle = new Handle{state};
  if (napi_wrap(env, handleObject, handle, FinalizeHandle, nullptr, nullptr) != napi_ok) {
    delete handle;
    throw Napi::Error::New(env, "napi_wrap failed");
  }
  if (napi_add_env_cleanup_hook(env, CleanupHook, handle) == napi_ok) handle->hookPending = true;
  return handleObject;
}

// programs(h) -> NativeProgramInfo[]
Napi::Value Programs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  RequireIdle(env, s);
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  bpf_program* prog;
  bpf_object__for_each_program(prog, s.obj.get()) {
    bool attached = false;
    for (const auto& entry : s.links) attached = attached || entry.first == prog;
    Napi::Object p = Napi::Object::New(env);
    p.Set("name", bpf_program__name(prog));
    p.Set("section", bpf_program__section_name(prog));
    p.Set("type", static_cast<uint32_t>(bpf_program__type(prog)));
    p.Set("typeName", NullableString(env, libbpf_bpf_prog_type_str(bpf_program__type(prog))));
    p.Set("expectedAttachType", static_cast<uint32_t>(bpf_program__expected_attach_type(prog)));
    p.Set("insnCount", static_cast<double>(bpf_program__insn_cnt(prog)));
    p.Set("autoload", bpf_program__autoload(prog));
    p.Set("id", s.phase == Phase::kLoaded ? KernelId(env, bpf_program__fd(prog), true) : env.Null());
    p.Set("verifiedInsns", s.phase == Phase::kLoaded ? VerifiedInsns(env, bpf_program__fd(prog)) : env.Null());
    auto stats = s.verifierStats.find(prog);
    p.Set("verifierStats", stats != s.verifierStats.end() && !stats->second.empty() ? Napi::Value(Napi::String::New(env, stats->second)) : env.Null());
    p.Set("attached", attached);
    out[i++] = p;
  }
  return out;
}

// maps(h) -> NativeMapInfo[]
Napi::Value Maps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  RequireIdle(env, s);
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  bpf_map* map;
  bpf_object__for_each_map(map, s.obj.get()) {
    Napi::Object m = Napi::Object::New(env);
    m.Set("name", UserMapName(s.obj.get(), map));
    m.Set("kernelName", bpf_map__name(map));
    m.Set("type", static_cast<uint32_t>(bpf_map__type(map)));
    m.Set("typeName", NullableString(env, libbpf_bpf_map_type_str(bpf_map__type(map))));
    m.Set("keySize", bpf_map__key_size(map));
    m.Set("valueSize", bpf_map__value_size(map));
    m.Set("valueStride", static_cast<double>(ValueStride(env, map)));
    m.Set("maxEntries", bpf_map__max_entries(map));
    m.Set("flags", bpf_map__map_flags(map));
    m.Set("btfKeyTypeId", bpf_map__btf_key_type_id(map));
    m.Set("btfValueTypeId", bpf_map__btf_value_type_id(map));
    m.Set("id", s.phase == Phase::kLoaded ? KernelId(env, bpf_map__fd(map), false) : env.Null());
    m.Set("isInternal", bpf_map__is_internal(map));
    out[i++] = m;
  }
  return out;
}

// instructions(h, program: string) -> Buffer (8 bytes per instruction)
// Before load these are the object's own instructions: helper calls carry
// their helper id, which is what the load policy scans.
Napi::Value Instructions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  RequireIdle(env, s);
  std::string name = StringArg(info, 1, "program");
  bpf_program* prog = bpf_object__find_program_by_name(s.obj.get(), name.c_str());
  if (prog == nullptr) throw Napi::TypeError::New(env, "no program named '" + name + "'");
  const bpf_insn* insns = bpf_program__insns(prog);
  size_t count = bpf_program__insn_cnt(prog);
  if (insns == nullptr) return Napi::Buffer<uint8_t>::New(env, 0);
  return Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(insns), count * sizeof(bpf_insn));
}

// enableStats(h): turns on the kernel's run-time accounting (BPF_STATS_RUN_TIME)
// for as long as this collection is open; it costs every BPF program a
// little, so it is off unless someone is watching.
Napi::Value EnableStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  RequireIdle(env, s);
  if (s.statsFd >= 0) return env.Undefined();
  int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (fd < 0) ThrowBpfError(env, CallFailure(-fd, "enabling BPF run-time stats failed"));
  s.statsFd = fd;
  return env.Undefined();
}

// programStats(h) -> [{ name, runTimeNs, runCount }] for loaded programs
Napi::Value ProgramStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  RequireIdle(env, s);
  Napi::Array out = Napi::Array::New(env);
  if (s.phase != Phase::kLoaded) return out;
  uint32_t i = 0;
  bpf_program* prog;
  bpf_object__for_each_program(prog, s.obj.get()) {
    int fd = bpf_program__fd(prog);
    if (fd < 0) continue;
    bpf_prog_info progInfo{};
    __u32 len = sizeof progInfo;
    if (bpf_obj_get_info_by_fd(fd, &progInfo, &len) != 0) continue;
    Napi::Object p = Napi::Object::New(env);
    p.Set("name", bpf_program__name(prog));
    p.Set("runTimeNs", static_cast<double>(progInfo.run_time_ns));
    p.Set("runCount", static_cast<double>(progInfo.run_cnt));
    out[i++] = p;
  }
  return out;
}

// btf(h) -> Buffer | null
Napi::Value Btf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  RequireIdle(env, s);
  const btf* objectBtf = bpf_object__btf(s.obj.get());
  if (objectBtf == nullptr) return env.Null();
  __u32 size = 0;
  const void* raw = btf__raw_data(objectBtf, &size);
  if (raw == nullptr) return env.Null();
  return Napi::Buffer<uint8_t>::Copy(env, static_cast<const uint8_t*>(raw), size);
}

// setInitialValue(h, map: string, value: Buffer)
Napi::Value SetInitialValue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  std::string name = StringArg(info, 1, "map");
  Napi::Buffer<uint8_t> value = BufferArg(info, 2, "value");
  RequireIdle(env, s);
  // libbpf copies the value into the map at creation, which load() does.
  if (s.phase != Phase::kOpened)
    ThrowBpfError(env, StateFailure(EBUSY, "EBUSY",
                                    "map '" + name + "': initial values must be set before load()"));
  bpf_map* map = FindMap(env, s, name);
  size_t mark = s.log.Size();
  int err;
  {
    ScopedLogSink scope(&s.log);
    err = bpf_map__set_initial_value(map, value.Data(), value.Length());
  }
  if (err)
    ThrowBpfError(env, CallFailure(-err, "map '" + name + "': setting the initial value failed",
                                   s.log.Since(mark)));
  return env.Undefined();
}

// initialValue(h, map) -> Buffer | null: an internal map's contents as
// libbpf holds them (the live mmap after load for mmapable maps).
Napi::Value InitialValue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  std::string name = StringArg(info, 1, "map");
  RequireIdle(env, s);
  bpf_map* map = FindMap(env, s, name);
  size_t size = 0;
  const void* data = bpf_map__initial_value(map, &size);
  if (data == nullptr) return env.Null();
  return Napi::Buffer<uint8_t>::Copy(env, static_cast<const uint8_t*>(data), size);
}

// resizeMap(h, map, field: 'max_entries' | 'value_size', value): what a loader
// does between open and load (bpf_map__set_max_entries, bpf_map__set_value_size).
Napi::Value ResizeMap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  std::string name = StringArg(info, 1, "map");
  std::string field = StringArg(info, 2, "field");
  int64_t value = IntegerArg(info, 3, "value");
  RequireIdle(env, s);
  if (s.phase != Phase::kOpened)
    ThrowBpfError(env, StateFailure(EBUSY, "EBUSY", "map '" + name + "': sizes must be set before load()"));
  if (value <= 0 || value > UINT32_MAX) throw Napi::RangeError::New(env, "value out of range");
  bpf_map* map = FindMap(env, s, name);
  size_t mark = s.log.Size();
  int err;
  {
    ScopedLogSink scope(&s.log);
    if (field == "max_entries") err = bpf_map__set_max_entries(map, static_cast<__u32>(value));
    else if (field == "value_size") err = bpf_map__set_value_size(map, static_cast<__u32>(value));
    else throw Napi::TypeError::New(env, "field must be 'max_entries' or 'value_size'");
  }
  if (err) ThrowBpfError(env, CallFailure(-err, "map '" + name + "': setting " + field + " failed", s.log.Since(mark)));
  return env.Undefined();
}

// setAutoload(h, program, autoload): a program left out of load (and attach).
Napi::Value SetAutoload(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  std::string name = StringArg(info, 1, "program");
  bool autoload = info[2].ToBoolean();
  RequireIdle(env, s);
  if (s.phase != Phase::kOpened)
    ThrowBpfError(env, StateFailure(EBUSY, "EBUSY", "program '" + name + "': autoload must be set before load()"));
  bpf_program* prog = bpf_object__find_program_by_name(s.obj.get(), name.c_str());
  if (prog == nullptr) ThrowBpfError(env, StateFailure(ENOENT, "ENOENT", "no program named '" + name + "'"));
  int err = bpf_program__set_autoload(prog, autoload);
  if (err) ThrowBpfError(env, CallFailure(-err, "program '" + name + "': setting autoload failed"));
  return env.Undefined();
}

// The program's own log buffer for one load, so each program's verifier
// statistics survive (one shared buffer keeps only the last program's log).
// They share the object's log size, each at least kMinProgramLog (or all of it): a log that
// does not fit fails the load with ENOSPC, and the caller retries with a
// bigger size. BPF_LOG_STATS adds the verification time and stack depth.
class ProgramLogs {
 public:
  explicit ProgramLogs(CollectionState& s) {
    bpf_program* prog;
    bpf_object__for_each_program(prog, s.obj.get()) if (bpf_program__autoload(prog)) logs_.push_back({prog, nullptr});
    if (logs_.empty()) return;
    size_ = std::max(s.kernelLogSize / logs_.size(), std::min(s.kernelLogSize, kMinProgramLog));
    for (auto& [prog, buffer] : logs_) {
      buffer.reset(new char[size_]);
      buffer[0] = '\0';
      bpf_program__set_log_buf(prog, buffer.get(), size_);
      bpf_program__set_log_level(prog, s.kernelLogLevel | kLogStats);
    }
  }

  // Keeps each program's statistics in `s` and returns the log to show: the
  // last one written, as one shared buffer would have held. libbpf loads the
  // programs in order and stops at a rejection, so that is the refused one's.
  std::string Collect(CollectionState& s) {
    s.verifierStats.clear();
    std::string shown;
    for (auto& [prog, buffer] : logs_) {
      std::string text(buffer.get(), strnlen(buffer.get(), size_));
      s.verifierStats[prog] = StatsOf(text);
      if (!text.empty()) shown = std::move(text);
    }
    return shown;
  }

 private:
  static constexpr size_t kMinProgramLog = 64 * 1024;
  static constexpr __u32 kLogStats = 4;  // BPF_LOG_STATS

  // The statistics are the log's last lines, from "verification time" on.
  static std::string StatsOf(const std::string& log) {
    size_t at = log.rfind("verification time ");
    if (at == std::string::npos) at = log.rfind("processed ");
    return at == std::string::npos ? std::string() : log.substr(at, 1024);
  }

  // Freed after the load: libbpf keeps the pointers but never loads an object twice.
  std::vector<std::pair<bpf_program*, std::unique_ptr<char[]>>> logs_;
  size_t size_ = 0;
};

class LoadWorker : public Napi::AsyncWorker {
 public:
  LoadWorker(Napi::Env env, Napi::Object handle, std::shared_ptr<CollectionState> state,
             Napi::Promise::Deferred deferred)
      : Napi::AsyncWorker(env, "bpf_addon.load"),
        handle_(Napi::Persistent(handle)),
        state_(std::move(state)),
        deferred_(deferred) {}

  // Runs on a libuv pool thread: libbpf only, no JS. The JS thread leaves the
  // object alone while phase is kLoading.
  void Execute() override {
    CollectionState& s = *state_;
    size_t mark = s.log.Size();
    s.kernelLog[0] = '\0';
    ProgramLogs logs(s);
    int err;
    {
      ScopedLogSink scope(&s.log);
      err = bpf_object__load(s.obj.get());
    }
    verifierLog_ = logs.Collect(s);
    libbpfLog_ = s.log.Since(mark);
    if (err) {
      err_ = -err;
      SetError("load failed");
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (Finish(Phase::kLoaded)) {
      ErrorInfo closed = StateFailure(EBADF, "ECLOSED", "the collection was closed while loading");
      deferred_.Reject(MakeBpfError(env, closed));
      return;
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("verifierLog", verifierLog_);
    result.Set("libbpfLog", libbpfLog_);
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error& error) override {
    Finish(Phase::kLoadFailed);
    // err_ is 0 only if Execute threw (e.g. bad_alloc).
    ErrorInfo info = err_ ? CallFailure(err_, "load failed", libbpfLog_)
                          : CallFailure(ENOMEM, "load failed (" + error.Message() + ")", libbpfLog_);
    info.hasVerifierLog = true;
    info.verifierLog = verifierLog_;
    deferred_.Reject(MakeBpfError(Env(), info));
  }

 private:
  // Returns true if close() was called while the load ran.
  bool Finish(Phase next) {
    CollectionState& s = *state_;
    --s.workers;
    if (s.phase == Phase::kClosed) {
      if (s.workers == 0) s.Release();
      return true;
    }
    // libbpf cannot retry a failed load: kLoadFailed is final.
    s.phase = next;
    return false;
  }

  // Keeps the handle from being collected (and closed) under a pending promise.
  Napi::ObjectReference handle_;
  std::shared_ptr<CollectionState> state_;
  Napi::Promise::Deferred deferred_;
  int err_ = 0;
  std::string verifierLog_;
  std::string libbpfLog_;
};

// load(h) -> Promise<{ verifierLog, libbpfLog }>
Napi::Value Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle& handle = HandleOf(info);
  CollectionState& s = *handle.state;
  auto deferred = Napi::Promise::Deferred::New(env);
  if (s.phase != Phase::kOpened) {
    ErrorInfo error;
    if (s.phase == Phase::kClosed) error = ClosedError();
    else if (s.phase == Phase::kLoading) error = BusyError();
    else if (s.phase == Phase::kLoadFailed) error = NotLoadedError(s, "load");
    else error = StateFailure(EALREADY, "EALREADY", "the collection is already loaded");
    deferred.Reject(MakeBpfError(env, error));
    return deferred.Promise();
  }
  s.phase = Phase::kLoading;
  ++s.workers;
  (new LoadWorker(env, info[0].As<Napi::Object>(), handle.state, deferred))->Queue();
  return deferred.Promise();
}

// One CPU's perf event, sampling `frequency` times a second: by default the
// software CPU clock a profiler attaches its perf_event program to (no
// hardware counter needed); a hardware counter where the caller asks for one.
int OpenCpuEvent(int cpu, uint32_t type, uint64_t config, uint64_t frequency) {
  perf_event_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = type;
  attr.config = config;
  attr.freq = 1;
  attr.sample_freq = frequency;
  return static_cast<int>(syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC));
}

// Attaches a perf_event program to one event on every online CPU (an offline
// one answers ENODEV and is skipped). Returns how many took it, or -errno of
// the first failure when none did. Each link owns its perf fd.
int AttachToCpuEvents(CollectionState& s, bpf_program* prog, uint32_t type, uint64_t config, uint64_t frequency) {
  int cpus = libbpf_num_possible_cpus();
  int attached = 0;
  int firstError = 0;
  for (int cpu = 0; cpu < cpus; cpu++) {
    int fd = OpenCpuEvent(cpu, type, config, frequency);
    if (fd < 0) {
      if (errno != ENODEV && firstError == 0) firstError = errno;
      continue;
    }
    bpf_link* link = bpf_program__attach_perf_event(prog, fd);
    if (link == nullptr) {
      if (firstError == 0) firstError = errno;
      close(fd);
      continue;
    }
    s.links.emplace_back(prog, LinkPtr(link));
    attached++;
  }
  return attached > 0 ? attached : -(firstError ? firstError : ENODEV);
}

bool HasLink(const CollectionState& s, const bpf_program* prog) {
  for (const auto& entry : s.links)
    if (entry.first == prog) return true;
  return false;
}

// Fills one attach result from a link or the failure that left none.
void SetAttachOutcome(CollectionState& s, Napi::Object r, bpf_program* prog, bpf_link* link, int err, size_t logMark, const char* what) {
  if (link != nullptr) {
    s.links.emplace_back(prog, LinkPtr(link));
    r.Set("attached", true);
    return;
  }
  ErrorInfo failure = CallFailure(err, what);
  r.Set("attached", false);
  r.Set("errno", failure.err);
  r.Set("code", failure.code);
  r.Set("message", failure.message);
  r.Set("libbpfLog", s.log.Since(logMark));
}

// attachAll(h, perfFrequency, perfType, perfConfig, skip) -> NativeAttachResult[];
// one entry per autoload program not named in skip (those the caller attaches
// itself, e.g. uprobes bound to one process). perf_event programs go on every
// CPU's (perfType, perfConfig) event at perfFrequency Hz.
Napi::Value AttachAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  int64_t perfFrequency = IntegerArg(info, 1, "perfFrequency");
  int64_t perfType = IntegerArg(info, 2, "perfType");
  int64_t perfConfig = IntegerArg(info, 3, "perfConfig");
  if (perfFrequency <= 0 || perfFrequency > 100000) throw Napi::RangeError::New(env, "perfFrequency out of range");
  if (perfType < 0 || perfType > UINT32_MAX || perfConfig < 0) throw Napi::RangeError::New(env, "perf event out of range");
  if (info.Length() < 5 || !info[4].IsArray()) throw Napi::TypeError::New(env, "skip must be an array of program names");
  Napi::Array skipList = info[4].As<Napi::Array>();
  std::vector<std::string> skip;
  for (uint32_t k = 0; k < skipList.Length(); k++) skip.push_back(skipList.Get(k).ToString().Utf8Value());
  RequireLoaded(env, s, "attach");
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  bpf_program* prog;
  bpf_object__for_each_program(prog, s.obj.get()) {
    if (!bpf_program__autoload(prog)) continue;
    if (std::find(skip.begin(), skip.end(), bpf_program__name(prog)) != skip.end()) continue;
    Napi::Object r = Napi::Object::New(env);
    r.Set("program", bpf_program__name(prog));
    r.Set("section", bpf_program__section_name(prog));
    out[i++] = r;
    if (HasLink(s, prog)) {  // attachAll twice keeps the first link
      r.Set("attached", true);
      continue;
    }
    size_t mark = s.log.Size();
    if (bpf_program__type(prog) == BPF_PROG_TYPE_PERF_EVENT) {
      int result;
      {
        ScopedLogSink scope(&s.log);
        result = AttachToCpuEvents(s, prog, static_cast<uint32_t>(perfType), static_cast<uint64_t>(perfConfig),
                                   static_cast<uint64_t>(perfFrequency));
      }
      if (result > 0) {
        r.Set("attached", true);
        r.Set("cpus", result);
        continue;
      }
      SetAttachOutcome(s, r, prog, nullptr, -result, mark, "attach to the CPU's perf event failed");
      continue;
    }
    bpf_link* link;
    int err;
    {
      ScopedLogSink scope(&s.log);
      link = bpf_program__attach(prog);
      err = errno;
    }
    SetAttachOutcome(s, r, prog, link, err, mark, "attach failed");
  }
  return out;
}

bpf_program* LoadedProgramArg(const Napi::CallbackInfo& info, CollectionState& s) {
  std::string name = StringArg(info, 1, "program");
  RequireLoaded(info.Env(), s, "attach");
  bpf_program* prog = bpf_object__find_program_by_name(s.obj.get(), name.c_str());
  if (prog == nullptr) throw Napi::Error::New(info.Env(), "no program named " + name);
  return prog;
}

// -1 (every process) or a process id.
pid_t PidArg(const Napi::CallbackInfo& info, size_t index) {
  int64_t pid = IntegerArg(info, index, "pid");
  if (pid < -1 || pid > INT32_MAX) throw Napi::RangeError::New(info.Env(), "pid out of range");
  return static_cast<pid_t>(pid);
}

// Attaches one program with `attach` (returning a link, or null with errno
// set) and reports it as attachAll reports each program.
template <typename Attach>
Napi::Object AttachOne(Napi::Env env, CollectionState& s, bpf_program* prog, const char* what, Attach attach) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("program", bpf_program__name(prog));
  r.Set("section", bpf_program__section_name(prog));
  size_t mark = s.log.Size();
  bpf_link* link;
  int err;
  {
    ScopedLogSink scope(&s.log);
    link = attach();
    err = errno;
  }
  SetAttachOutcome(s, r, prog, link, err, mark, what);
  return r;
}

// attachUprobe(h, program, binary, functionName, retprobe, pid) -> NativeAttachResult.
// pid -1 watches every process that runs the binary; a pid, only that one.
Napi::Value AttachUprobe(const Napi::CallbackInfo& info) {
  CollectionState& s = *HandleOf(info).state;
  bpf_program* prog = LoadedProgramArg(info, s);
  std::string binary = StringArg(info, 2, "binary");
  std::string function = StringArg(info, 3, "functionName");
  bool retprobe = info[4].ToBoolean().Value();
  pid_t pid = PidArg(info, 5);
  return AttachOne(info.Env(), s, prog, "uprobe attach failed", [&] {
    LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe, .func_name = function.c_str());
    return bpf_program__attach_uprobe_opts(prog, pid, binary.c_str(), 0, &opts);
  });
}

// attachUsdt(h, program, binary, provider, name, pid) -> NativeAttachResult.
Napi::Value AttachUsdt(const Napi::CallbackInfo& info) {
  CollectionState& s = *HandleOf(info).state;
  bpf_program* prog = LoadedProgramArg(info, s);
  std::string binary = StringArg(info, 2, "binary");
  std::string provider = StringArg(info, 3, "provider");
  std::string name = StringArg(info, 4, "name");
  pid_t pid = PidArg(info, 5);
  return AttachOne(info.Env(), s, prog, "usdt attach failed",
                   [&] { return bpf_program__attach_usdt(prog, pid, binary.c_str(), provider.c_str(), name.c_str(), nullptr); });
}

// detach(h): destroys all links. A no-op once closed.
Napi::Value Detach(const Napi::CallbackInfo& info) {
  CollectionState& s = *HandleOf(info).state;
  s.links.clear();
  return info.Env().Undefined();
}

// lookup(h, map, key, flags) -> Buffer | null
Napi::Value Lookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  std::string name = StringArg(info, 1, "map");
  Napi::Buffer<uint8_t> key = BufferArg(info, 2, "key");
  int64_t flags = IntegerArg(info, 3, "flags");
  RequireLoaded(env, s, "map '" + name + "'");
  bpf_map* map = FindMap(env, s, name);
  size_t stride = ValueStride(env, map);
  Napi::Buffer<uint8_t> value = Napi::Buffer<uint8_t>::New(env, stride);
  size_t mark = s.log.Size();
  int err;
  {
    ScopedLogSink scope(&s.log);
    err = bpf_map__lookup_elem(map, KeyPointer(key), key.Length(), value.Data(), stride, static_cast<__u64>(flags));
  }
  if (err == -ENOENT) return env.Null();
  if (err)
    ThrowBpfError(env, CallFailure(-err, "map '" + name + "': lookup failed", s.log.Since(mark)));
  return value;
}

// The head of a queue or stack map (a NULL key): peek leaves it in place
// (BPF_MAP_LOOKUP_ELEM), pop takes it (BPF_MAP_LOOKUP_AND_DELETE_ELEM).
// Null when the map is empty.
Napi::Value TakeHead(const Napi::CallbackInfo& info, bool remove) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  std::string name = StringArg(info, 1, "map");
  RequireLoaded(env, s, "map '" + name + "'");
  bpf_map* map = FindMap(env, s, name);
  size_t size = bpf_map__value_size(map);
  Napi::Buffer<uint8_t> value = Napi::Buffer<uint8_t>::New(env, size);
  size_t mark = s.log.Size();
  int err;
  {
    ScopedLogSink scope(&s.log);
    err = remove ? bpf_map__lookup_and_delete_elem(map, nullptr, 0, value.Data(), size, 0)
                 : bpf_map__lookup_elem(map, nullptr, 0, value.Data(), size, 0);
  }
  if (err == -ENOENT) return env.Null();
  if (err)
    ThrowBpfError(env, CallFailure(-err, "map '" + name + "': " + (remove ? "pop" : "peek") + " failed", s.log.Since(mark)));
  return value;
}

// peek(h, map) -> Buffer | null
Napi::Value Peek(const Napi::CallbackInfo& info) { return TakeHead(info, false); }

// pop(h, map) -> Buffer | null
Napi::Value Pop(const Napi::CallbackInfo& info) { return TakeHead(info, true); }

// update(h, map, key, value, flags)
Napi::Value Update(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  std::string name = StringArg(info, 1, "map");
  Napi::Buffer<uint8_t> key = BufferArg(info, 2, "key");
  Napi::Buffer<uint8_t> value = BufferArg(info, 3, "value");
  int64_t flags = IntegerArg(info, 4, "flags");
  RequireLoaded(env, s, "map '" + name + "'");
  bpf_map* map = FindMap(env, s, name);
  size_t mark = s.log.Size();
  int err;
  {
    ScopedLogSink scope(&s.log);
    err = bpf_map__update_elem(map, KeyPointer(key), key.Length(), value.Data(), value.Length(),
                               static_cast<__u64>(flags));
  }
  if (err)
    ThrowBpfError(env, CallFailure(-err, "map '" + name + "': update failed", s.log.Since(mark)));
  return env.Undefined();
}

// delete(h, map, key); an absent key fails with ENOENT
Napi::Value Delete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  std::string name = StringArg(info, 1, "map");
  Napi::Buffer<uint8_t> key = BufferArg(info, 2, "key");
  RequireLoaded(env, s, "map '" + name + "'");
  bpf_map* map = FindMap(env, s, name);
  size_t mark = s.log.Size();
  int err;
  {
    ScopedLogSink scope(&s.log);
    err = bpf_map__delete_elem(map, KeyPointer(key), key.Length(), 0);
  }
  if (err)
    ThrowBpfError(env, CallFailure(-err, "map '" + name + "': delete failed", s.log.Since(mark)));
  return env.Undefined();
}

class DumpWorker : public Napi::AsyncWorker {
 public:
  DumpWorker(Napi::Env env, Napi::Object handle, std::shared_ptr<CollectionState> state,
             std::string name, DumpRequest request, Napi::Promise::Deferred deferred)
      : Napi::AsyncWorker(env, "bpf_addon.dump"),
        handle_(Napi::Persistent(handle)),
        state_(std::move(state)),
        name_(std::move(name)),
        request_(request),
        deferred_(deferred) {}

  // Only bpf(2) on the map fd, which stays open until this worker finishes.
  void Execute() override {
    result_ = DumpMap(request_);
    if (result_.err) SetError("dump failed");
  }

  void OnOK() override {
    Finish();
    Napi::Env env = Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("keys", Napi::Buffer<uint8_t>::Copy(env, result_.keys.data(),
                                                 result_.count * request_.keySize));
    out.Set("values", Napi::Buffer<uint8_t>::Copy(env, result_.values.data(),
                                                   result_.count * request_.valueStride));
    out.Set("count", result_.count);
    out.Set("batched", result_.batched);
    out.Set("keySize", static_cast<double>(request_.keySize));
    out.Set("valueStride", static_cast<double>(request_.valueStride));
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& error) override {
    Finish();
    ErrorInfo info = result_.err ? CallFailure(result_.err, "map '" + name_ + "': dump failed")
                                 : CallFailure(ENOMEM, "map '" + name_ + "': dump failed (" +
                                                           error.Message() + ")");
    deferred_.Reject(MakeBpfError(Env(), info));
  }

 private:
  void Finish() {
    CollectionState& s = *state_;
    if (--s.workers == 0 && s.phase == Phase::kClosed) s.Release();
  }

  Napi::ObjectReference handle_;  // as in LoadWorker
  std::shared_ptr<CollectionState> state_;
  std::string name_;
  DumpRequest request_;
  Napi::Promise::Deferred deferred_;
  DumpResult result_;
};

// dump(h, map, max, tryBatch, flags) -> Promise<{ keys, values, count, batched, keySize, valueStride }>
Napi::Value Dump(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle& handle = HandleOf(info);
  CollectionState& s = *handle.state;
  std::string name = StringArg(info, 1, "map");
  int64_t max = IntegerArg(info, 2, "max");
  bool tryBatch = info[3].ToBoolean();
  int64_t flags = IntegerArg(info, 4, "flags");
  if (max <= 0 || max > UINT32_MAX) throw Napi::RangeError::New(env, "max out of range");
  auto deferred = Napi::Promise::Deferred::New(env);
  try {
    RequireLoaded(env, s, "map '" + name + "'");
    bpf_map* map = FindMap(env, s, name);
    DumpRequest request;
    request.fd = bpf_map__fd(map);
    request.keySize = bpf_map__key_size(map);
    request.valueStride = ValueStride(env, map);
    request.max = static_cast<uint32_t>(max);
    request.tryBatch = tryBatch;
    request.elemFlags = static_cast<uint64_t>(flags);
    ++s.workers;
    (new DumpWorker(env, info[0].As<Napi::Object>(), handle.state, name, request, deferred))
        ->Queue();
  } catch (const Napi::Error& error) {
    deferred.Reject(error.Value());
  }
  return deferred.Promise();
}

// consume(h, map, perfPages, maxBatch, passRecords, passBytes, callback(data, ends, lost)) -> id
// Streams a ringbuf or perf_event_array map; see events.h.
Napi::Value Consume(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CollectionState& s = *HandleOf(info).state;
  ConsumeRequest request;
  request.name = StringArg(info, 1, "map");
  int64_t perfPages = IntegerArg(info, 2, "perfPages");
  int64_t maxBatch = IntegerArg(info, 3, "maxBatch");
  int64_t passRecords = IntegerArg(info, 4, "passRecords");
  int64_t passBytes = IntegerArg(info, 5, "passBytes");
  if (!info[6].IsFunction()) throw Napi::TypeError::New(env, "callback must be a function");
  // perf_buffer__new wants a power of two.
  if (perfPages <= 0 || perfPages > (int64_t{1} << 20) || (perfPages & (perfPages - 1)) != 0)
    throw Napi::RangeError::New(env, "perfPages must be a power of two");
  if (maxBatch <= 0 || maxBatch > UINT32_MAX) throw Napi::RangeError::New(env, "maxBatch out of range");
  if (passRecords <= 0 || passRecords > UINT32_MAX) throw Napi::RangeError::New(env, "passRecords out of range");
  if (passBytes <= 0 || passBytes > (int64_t{1} << 31)) throw Napi::RangeError::New(env, "passBytes out of range");
  request.passRecords = static_cast<size_t>(passRecords);
  request.passBytes = static_cast<size_t>(passBytes);
  request.perfPages = static_cast<size_t>(perfPages);
  request.maxBatch = static_cast<size_t>(maxBatch);
  RequireLoaded(env, s, "map '" + request.name + "'");
  request.map = FindMap(env, s, request.name);
  bpf_map_type type = bpf_map__type(request.map);
  if (type != BPF_MAP_TYPE_RINGBUF && type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
    const char* typeName = libbpf_bpf_map_type_str(type);
    throw Napi::TypeError::New(env, "map '" + request.name + "' is a " +
                                        (typeName ? typeName : "map_type_" + std::to_string(type)) +
                                        " map; consume() reads ringbuf and perf_event_array maps");
  }
  return Napi::Number::New(env, StartEventConsumer(env, info[0].As<Napi::Object>(), s, request,
                                                   info[6].As<Napi::Function>()));
}

// stopConsume(h, id): stops one consumer. A no-op once stopped or closed.
Napi::Value StopConsume(const Napi::CallbackInfo& info) {
  CollectionState& s = *HandleOf(info).state;
  int64_t id = IntegerArg(info, 1, "id");
  if (id > 0 && id <= UINT32_MAX) StopEventConsumer(s, static_cast<uint32_t>(id));
  return info.Env().Undefined();
}

// close(h): consumers, links, then the object. Safe to call again; a running
// worker finishes first and releases the object itself.
Napi::Value Close(const Napi::CallbackInfo& info) {
  Handle& handle = HandleOf(info);
  if (handle.hookPending) {
    napi_remove_env_cleanup_hook(info.Env(), CleanupHook, &handle);
    handle.hookPending = false;
  }
  CloseState(*handle.state);
  return info.Env().Undefined();
}

// phase(h) -> 'opened' | 'loading' | 'loaded' | 'load_failed' | 'closed'
Napi::Value GetPhase(const Napi::CallbackInfo& info) {
  static const char* const kNames[] = {"opened", "loading", "loaded", "load_failed", "closed"};
  return Napi::String::New(info.Env(), kNames[static_cast<int>(HandleOf(info).state->phase)]);
}

// libbpfLog(h) -> everything libbpf said about this collection (capped)
Napi::Value LibbpfLog(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), HandleOf(info).state->log.Text());
}

// possibleCpus() -> number
Napi::Value GetPossibleCpus(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), PossibleCpus(info.Env()));
}

}  // namespace

void InitCollection(Napi::Env env, Napi::Object exports) {
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("programs", Napi::Function::New(env, Programs, "programs"));
  exports.Set("maps", Napi::Function::New(env, Maps, "maps"));
  exports.Set("btf", Napi::Function::New(env, Btf, "btf"));
  exports.Set("enableStats", Napi::Function::New(env, EnableStats, "enableStats"));
  exports.Set("programStats", Napi::Function::New(env, ProgramStats, "programStats"));
  exports.Set("instructions", Napi::Function::New(env, Instructions, "instructions"));
  exports.Set("setInitialValue", Napi::Function::New(env, SetInitialValue, "setInitialValue"));
  exports.Set("initialValue", Napi::Function::New(env, InitialValue, "initialValue"));
  exports.Set("load", Napi::Function::New(env, Load, "load"));
  exports.Set("attachAll", Napi::Function::New(env, AttachAll, "attachAll"));
  exports.Set("attachUprobe", Napi::Function::New(env, AttachUprobe, "attachUprobe"));
  exports.Set("attachUsdt", Napi::Function::New(env, AttachUsdt, "attachUsdt"));
  exports.Set("resizeMap", Napi::Function::New(env, ResizeMap, "resizeMap"));
  exports.Set("setAutoload", Napi::Function::New(env, SetAutoload, "setAutoload"));
  exports.Set("detach", Napi::Function::New(env, Detach, "detach"));
  exports.Set("lookup", Napi::Function::New(env, Lookup, "lookup"));
  exports.Set("peek", Napi::Function::New(env, Peek, "peek"));
  exports.Set("pop", Napi::Function::New(env, Pop, "pop"));
  exports.Set("update", Napi::Function::New(env, Update, "update"));
  exports.Set("delete", Napi::Function::New(env, Delete, "delete"));
  exports.Set("dump", Napi::Function::New(env, Dump, "dump"));
  exports.Set("consume", Napi::Function::New(env, Consume, "consume"));
  exports.Set("stopConsume", Napi::Function::New(env, StopConsume, "stopConsume"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("phase", Napi::Function::New(env, GetPhase, "phase"));
  exports.Set("libbpfLog", Napi::Function::New(env, LibbpfLog, "libbpfLog"));
  exports.Set("possibleCpus", Napi::Function::New(env, GetPossibleCpus, "possibleCpus"));
}

}  // namespace bpf_addon
