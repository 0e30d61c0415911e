#include "libbpf_log.h"

#include <cstdarg>
#include <cstdio>
#include <vector>

namespace bpf_addon {
namespace {

thread_local LogSink* tls_sink = nullptr;

int PrintToSink(enum libbpf_print_level level, const char* format, va_list args) {
  LogSink* sink = tls_sink;
  // No collection is working on this thread: drop rather than print.
  if (sink == nullptr || !sink->Wants(level)) return 0;

  char small[512];
  va_list copy;
  va_copy(copy, args);
  int len = vsnprintf(small, sizeof small, format, copy);
  va_end(copy);
  if (len < 0) return 0;
  if (static_cast<size_t>(len) < sizeof small) {
    sink->Append(small, static_cast<size_t>(len));
    return len;
  }
  std::vector<char> big(static_cast<size_t>(len) + 1);
  vsnprintf(big.data(), big.size(), format, args);
  sink->Append(big.data(), static_cast<size_t>(len));
  return len;
}

}  // namespace

void LogSink::Append(const char* text, size_t len) {
  std::lock_guard<std::mutex> lock(mu_);
  if (truncated_) return;
  if (text_.size() + len > kCap) {
    text_.append(text, kCap - text_.size());
    text_.append("\n[libbpf log truncated]\n");
    truncated_ = true;
    return;
  }
  text_.append(text, len);
}

std::string LogSink::Text() const {
  std::lock_guard<std::mutex> lock(mu_);
  return text_;
}

std::string LogSink::Since(size_t offset) const {
  std::lock_guard<std::mutex> lock(mu_);
  return offset < text_.size() ? text_.substr(offset) : std::string();
}

size_t LogSink::Size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return text_.size();
}

ScopedLogSink::ScopedLogSink(LogSink* sink) : previous_(tls_sink) { tls_sink = sink; }

ScopedLogSink::~ScopedLogSink() { tls_sink = previous_; }

void InstallLibbpfPrint() {
  static std::once_flag once;
  std::call_once(once, [] { libbpf_set_print(PrintToSink); });
}

}  // namespace bpf_addon
