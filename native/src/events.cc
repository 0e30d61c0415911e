// Streaming records out of BPF_MAP_TYPE_RINGBUF and
// BPF_MAP_TYPE_PERF_EVENT_ARRAY maps, on the environment's own loop.
//
// libbpf's ring_buffer and perf_buffer each expose an epoll fd that becomes
// readable when the kernel holds records. A uv_poll_t watches it on the loop
// of the environment that subscribed (napi_get_uv_event_loop), so no thread is
// needed. When it fires, one pass copies what the kernel holds into a packed
// byte vector (a record is only valid inside libbpf's callback), then hands it
// to JS in slices of at most maxBatch records, all in the same tick.
//
// A pass stops taking records at passRecords records or passBytes bytes (set by the caller) and
// leaves the rest in the kernel: both watches are level-triggered, so the next
// loop iteration picks it up, and a flooding program cannot make us buffer
// without bound or starve the loop.
//
// One extra pass runs once libuv has really registered the epoll fd (a
// uv_idle_t, two loop turns after the start). Perf event fds report readiness
// once per wake-up (perf_poll() clears it), and libuv polls a new fd when it
// adds it to its own epoll set; so records written between perf_buffer__new()
// and that registration would otherwise wait for the next record to be
// noticed.
//
// Lifetime: Stop() (unsubscribe, Collection.close(), the collection's cleanup
// hook and finalizer, or our own async env cleanup hook) stops the handles,
// closes them and frees the libbpf buffer at once; the object holding the
// handles, and the JS references, go in the last close callback.
#include "events.h"

#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "bpf_error.h"
#include "libbpf_log.h"

namespace bpf_addon {
namespace {

// Memory kept between passes; a bigger vector is given back after delivery.
constexpr size_t kKeepBytes = 1024 * 1024;

}  // namespace

class EventConsumer {
 public:
  static uint32_t Start(Napi::Env env, Napi::Object handle, CollectionState& s,
                        const ConsumeRequest& request, Napi::Function callback);

  // Idempotent. Never deletes `this` synchronously: the close callback does.
  void Stop();

  // Only before the uv handle exists, or from OnClosed.
  ~EventConsumer();

  uint32_t id() const { return id_; }
  const bpf_map* map() const { return map_; }

 private:
  EventConsumer(Napi::Env env, CollectionState& owner, const ConsumeRequest& request)
      : env_(env),
        owner_(&owner),
        map_(request.map),
        maxBatch_(request.maxBatch),
        passRecords_(request.passRecords),
        passBytes_(request.passBytes) {}

  // libbpf callbacks: copy only, no JS.
  static int OnRingSample(void* ctx, void* data, size_t size);
  static void OnPerfSample(void* ctx, int cpu, void* data, __u32 size);
  static void OnPerfLost(void* ctx, int cpu, __u64 count);

  static void OnPoll(uv_poll_t* poll, int status, int events);
  static void OnIdle(uv_idle_t* idle);
  static void OnClosed(uv_handle_t* handle);
  static void OnEnvCleanup(napi_async_cleanup_hook_handle hook, void* arg);

  // Copies one record; returns true once the pass is full.
  bool Append(const void* data, size_t size);
  // One pass: drain the kernel buffers, deliver, give back surplus memory.
  void Pass();
  void Drain();
  void Deliver();
  void FreeBuffers();

  Napi::Env env_;
  CollectionState* owner_;  // null once stopped
  bpf_map* map_;
  uint32_t id_ = 0;
  size_t maxBatch_;
  size_t passRecords_;
  size_t passBytes_;

  ring_buffer* ring_ = nullptr;
  perf_buffer* perf_ = nullptr;
  size_t perfNext_ = 0;  // the per-CPU buffer a pass starts with, rotated for fairness

  uv_poll_t poll_;
  uv_idle_t idle_;      // the catch-up pass after registration
  int idleTurns_ = 0;
  int openHandles_ = 0;  // handles whose close callback is still to come
  bool stopping_ = false;
  napi_async_cleanup_hook_handle cleanupHook_ = nullptr;

  Napi::FunctionReference callback_;
  // The collection's JS handle: a running consumer keeps it from being
  // collected (and closed), like a pending load.
  Napi::ObjectReference handle_;
  napi_async_context asyncContext_ = nullptr;

  // The current pass: record i is data_[ends_[i-1] .. ends_[i]).
  std::vector<unsigned char> data_;
  std::vector<uint32_t> ends_;
  bool full_ = false;
  // Records lost since the last delivered slice: the perf buffer's lost
  // counts, and records we could not copy (out of memory).
  double lost_ = 0;
};

EventConsumer::~EventConsumer() {
  FreeBuffers();
  if (asyncContext_ != nullptr) napi_async_destroy(env_, asyncContext_);
}

void EventConsumer::FreeBuffers() {
  ring_buffer__free(ring_);
  ring_ = nullptr;
  perf_buffer__free(perf_);
  perf_ = nullptr;
}

uint32_t EventConsumer::Start(Napi::Env env, Napi::Object handle, CollectionState& s,
                              const ConsumeRequest& request, Napi::Function callback) {
  std::unique_ptr<EventConsumer> self(new EventConsumer(env, s, request));
  const std::string what = "map '" + request.name + "'";

  const bool ring = bpf_map__type(request.map) == BPF_MAP_TYPE_RINGBUF;
  int fd = bpf_map__fd(request.map);
  size_t mark = s.log.Size();
  int err = 0;
  {
    ScopedLogSink scope(&s.log);
    if (ring) {
      self->ring_ = ring_buffer__new(fd, OnRingSample, self.get(), nullptr);
      err = self->ring_ ? 0 : errno;
    } else {
      self->perf_ = perf_buffer__new(fd, request.perfPages, OnPerfSample, OnPerfLost,
                                     self.get(), nullptr);
      err = self->perf_ ? 0 : errno;
    }
  }
  if (err)
    ThrowBpfError(env, CallFailure(err, what + (ring ? ": ring buffer setup failed"
                                                     : ": perf buffer setup failed"),
                                   s.log.Since(mark)));
  int epollFd = ring ? ring_buffer__epoll_fd(self->ring_) : perf_buffer__epoll_fd(self->perf_);

  self->callback_ = Napi::Persistent(callback);
  self->handle_ = Napi::Persistent(handle);
  Napi::String resourceName = Napi::String::New(env, "bpf_addon.consume");
  if (napi_async_init(env, handle, resourceName, &self->asyncContext_) != napi_ok)
    throw Napi::Error::New(env, "napi_async_init failed");

  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr)
    throw Napi::Error::New(env, "napi_get_uv_event_loop failed");

  // Environment teardown stops us; the loop keeps running until our close
  // callback says we are done.
  if (napi_add_async_cleanup_hook(env, OnEnvCleanup, self.get(), &self->cleanupHook_) != napi_ok)
    throw Napi::Error::New(env, "napi_add_async_cleanup_hook failed");

  int uvErr = uv_poll_init(loop, &self->poll_, epollFd);
  if (uvErr != 0) {
    napi_remove_async_cleanup_hook(self->cleanupHook_);
    ThrowBpfError(env, CallFailure(-uvErr, what + ": uv_poll_init failed"));
  }
  self->poll_.data = self.get();
  uv_idle_init(loop, &self->idle_);  // cannot fail
  self->idle_.data = self.get();
  self->openHandles_ = 2;
  // From here on the handles exist: only Stop() and OnClosed free us.
  EventConsumer* consumer = self.release();
  uv_idle_start(&consumer->idle_, OnIdle);
  uvErr = uv_poll_start(&consumer->poll_, UV_READABLE, OnPoll);
  if (uvErr != 0) {
    consumer->owner_ = nullptr;  // never registered
    consumer->Stop();
    ThrowBpfError(env, CallFailure(-uvErr, what + ": uv_poll_start failed"));
  }
  consumer->id_ = s.nextConsumerId++;
  s.consumers.push_back(consumer);
  return consumer->id_;
}

void EventConsumer::Stop() {
  if (stopping_) return;
  stopping_ = true;
  if (owner_ != nullptr) {
    auto& list = owner_->consumers;
    list.erase(std::remove(list.begin(), list.end(), this), list.end());
    owner_ = nullptr;
  }
  uv_idle_stop(&idle_);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), OnClosed);
  uv_poll_stop(&poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), OnClosed);
  // libuv stops watching the fd inside uv_close() and documents that it may
  // be closed right after. Freeing the buffer now, not in OnClosed, matters:
  // perf_buffer__free() clears the map's per-CPU slots through the map fd,
  // which Collection.close() is about to close, and which a consumer started
  // in the same tick on the same map has already filled again.
  FreeBuffers();
}

void EventConsumer::OnClosed(uv_handle_t* handle) {
  auto* self = static_cast<EventConsumer*>(handle->data);
  if (--self->openHandles_ > 0) return;
  napi_async_cleanup_hook_handle hook = self->cleanupHook_;
  {
    Napi::HandleScope scope(self->env_);
    delete self;
  }
  // Last: during teardown this tells Node we are done, and our hook's
  // reference is what kept the napi_env alive until now.
  if (hook != nullptr) napi_remove_async_cleanup_hook(hook);
}

void EventConsumer::OnEnvCleanup(napi_async_cleanup_hook_handle /*hook*/, void* arg) {
  // OnClosed removes the hook, which completes it.
  static_cast<EventConsumer*>(arg)->Stop();
}

bool EventConsumer::Append(const void* data, size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  const size_t before = data_.size();
  try {
    data_.insert(data_.end(), bytes, bytes + size);
    ends_.push_back(static_cast<uint32_t>(data_.size()));
  } catch (...) {
    data_.resize(before);  // no bytes without an end
    throw;
  }
  full_ = ends_.size() >= passRecords_ || data_.size() >= passBytes_;
  return full_;
}

int EventConsumer::OnRingSample(void* ctx, void* data, size_t size) {
  auto* self = static_cast<EventConsumer*>(ctx);
  try {
    // libbpf has already moved past this record: a negative return ends the
    // pass and leaves the rest in the ring.
    return self->Append(data, size) ? -ENOSPC : 0;
  } catch (const std::bad_alloc&) {
    self->full_ = true;
    self->lost_ += 1;
    return -ENOMEM;
  }
}

void EventConsumer::OnPerfSample(void* ctx, int /*cpu*/, void* data, __u32 size) {
  auto* self = static_cast<EventConsumer*>(ctx);
  try {
    self->Append(data, size);
  } catch (const std::bad_alloc&) {
    self->full_ = true;
    self->lost_ += 1;
  }
}

void EventConsumer::OnPerfLost(void* ctx, int /*cpu*/, __u64 count) {
  static_cast<EventConsumer*>(ctx)->lost_ += static_cast<double>(count);
}

void EventConsumer::Drain() {
  data_.clear();
  ends_.clear();
  full_ = false;
  ScopedLogSink scope(&owner_->log);
  if (ring_ != nullptr) {
    // A negative result is our own stop (or ENOMEM); what is left stays in
    // the ring for the next pass.
    ring_buffer__consume(ring_);
    return;
  }
  // A perf buffer cannot be stopped mid-buffer, so a pass ends after the
  // per-CPU buffer that filled it (each is perfPages pages at most).
  size_t count = perf_buffer__buffer_cnt(perf_);
  if (count == 0) return;
  for (size_t k = 0; k < count && !full_; ++k)
    perf_buffer__consume_buffer(perf_, (perfNext_ + k) % count);  // ENOENT: an offline CPU
  perfNext_ = (perfNext_ + 1) % count;
}

void EventConsumer::Deliver() {
  Napi::Env env = env_;
  const size_t total = ends_.size();
  size_t start = 0;
  bool first = true;
  // Lost records are reported even when no record came with them.
  while (!stopping_ && (start < total || (first && lost_ > 0))) {
    first = false;
    size_t count = std::min(maxBatch_, total - start);
    size_t from = start == 0 ? 0 : ends_[start - 1];
    size_t to = count == 0 ? from : ends_[start + count - 1];
    start += count;
    double lost = lost_;
    lost_ = 0;
    Napi::HandleScope scope(env);
    try {
      Napi::Buffer<uint8_t> data = to > from
          ? Napi::Buffer<uint8_t>::Copy(env, data_.data() + from, to - from)
          : Napi::Buffer<uint8_t>::New(env, 0);
      Napi::Uint32Array ends = Napi::Uint32Array::New(env, count);
      for (size_t i = 0; i < count; ++i)
        ends[i] = static_cast<uint32_t>(ends_[start - count + i] - from);
      // MakeCallback, not Call: runs process.nextTick and promise jobs after,
      // and gives async_hooks a context, as for any other I/O callback. The
      // receiver must be an object; the callback ignores it.
      callback_.Value().MakeCallback(handle_.Value(), {data, ends, Napi::Number::New(env, lost)},
                                     asyncContext_);
    } catch (const Napi::Error& error) {
      // A throwing callback is an uncaught exception, as in any I/O
      // callback; with an 'uncaughtException' handler we carry on.
      napi_fatal_exception(env, error.Value());
    }
  }
}

void EventConsumer::OnPoll(uv_poll_t* poll, int status, int /*events*/) {
  auto* self = static_cast<EventConsumer*>(poll->data);
  if (self->stopping_) return;
  if (status < 0) {
    // libuv stopped the handle (POLLERR; epoll fds do not report it).
    self->Stop();
    return;
  }
  self->Pass();
}

// Idle callbacks run before the poll phase, and keep it from blocking: the
// second one comes after a poll phase that has registered our fd, whatever
// phase the start was called from.
void EventConsumer::OnIdle(uv_idle_t* idle) {
  auto* self = static_cast<EventConsumer*>(idle->data);
  if (++self->idleTurns_ < 2) return;
  uv_idle_stop(idle);
  if (!self->stopping_) self->Pass();
}

void EventConsumer::Pass() {
  try {
    Drain();
    Deliver();
  } catch (...) {
    // Deliver() reports JS exceptions itself; nothing may unwind into libuv.
  }
  if (data_.capacity() > kKeepBytes) std::vector<unsigned char>().swap(data_);
  if (ends_.capacity() > kKeepBytes / sizeof(uint32_t)) std::vector<uint32_t>().swap(ends_);
}

// ---------------------------------------------------------------------------

uint32_t StartEventConsumer(Napi::Env env, Napi::Object handle, CollectionState& s,
                            const ConsumeRequest& request, Napi::Function callback) {
  for (EventConsumer* running : s.consumers)
    if (running->map() == request.map)
      ThrowBpfError(env, StateFailure(EBUSY, "EBUSY",
                                      "map '" + request.name + "' is already being consumed"));
  return EventConsumer::Start(env, handle, s, request, callback);
}

void StopEventConsumer(CollectionState& s, uint32_t id) {
  for (EventConsumer* running : s.consumers) {
    if (running->id() == id) {
      running->Stop();
      return;
    }
  }
}

void StopEventConsumers(CollectionState& s) {
  std::vector<EventConsumer*> running;
  running.swap(s.consumers);
  for (EventConsumer* consumer : running) consumer->Stop();
}

}  // namespace bpf_addon
