// Routes libbpf's process-global print callback to one collection at a time.
//
// libbpf has a single print callback for the whole process, but sessions load
// concurrently. Each libbpf call made for a collection runs inside a
// ScopedLogSink, which points a thread_local at that collection's LogSink; the
// callback appends to whatever sink the calling thread has, and drops the
// message otherwise. Nothing is ever printed to stderr.
#pragma once

#include <bpf/libbpf.h>

#include <cstddef>
#include <mutex>
#include <string>

namespace bpf_addon {

class LogSink {
 public:
  // Caps the text so a chatty object cannot grow the log without bound.
  static constexpr size_t kCap = 256 * 1024;

  explicit LogSink(bool debug) : debug_(debug) {}

  bool Wants(enum libbpf_print_level level) const {
    return level != LIBBPF_DEBUG || debug_;
  }
  void Append(const char* text, size_t len);

  // Everything collected so far, and the part after `offset` (an earlier Size()).
  std::string Text() const;
  std::string Since(size_t offset) const;
  size_t Size() const;

 private:
  // A worker thread appends while the JS thread may read.
  mutable std::mutex mu_;
  std::string text_;
  bool truncated_ = false;
  const bool debug_;
};

class ScopedLogSink {
 public:
  explicit ScopedLogSink(LogSink* sink);
  ~ScopedLogSink();
  ScopedLogSink(const ScopedLogSink&) = delete;
  ScopedLogSink& operator=(const ScopedLogSink&) = delete;

 private:
  LogSink* previous_;
};

// Installs the callback. Idempotent; safe to call from every module instance.
void InstallLibbpfPrint();

}  // namespace bpf_addon
