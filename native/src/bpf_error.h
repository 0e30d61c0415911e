// Turning libbpf and kernel failures into BpfError objects.
#pragma once

#include <napi.h>

#include <string>

namespace bpf_addon {

// What went wrong, gathered off the JS thread if need be; made into a JS
// object only on the JS thread.
struct ErrorInfo {
  int err = 0;               // positive errno, or a LIBBPF_ERRNO__* value
  std::string code;          // 'EINVAL', 'ENOTLOADED', ...
  std::string message;       // "load failed: Permission denied"
  bool hasVerifierLog = false;
  std::string verifierLog;
  std::string libbpfLog;     // what libbpf printed during the failing call
};

// The errno's name ("EACCES"); libbpf's own codes get their enum name.
std::string ErrnoCode(int err);
// Human text for an errno or libbpf code.
std::string ErrnoText(int err);

// A failed libbpf or bpf() call: "<what>: <strerror>".
ErrorInfo CallFailure(int err, const std::string& what, std::string libbpfLog = {});
// A call made in the wrong state (closed, not loaded, busy).
ErrorInfo StateFailure(int err, const char* code, std::string message);

Napi::Value MakeBpfError(Napi::Env env, const ErrorInfo& info);
[[noreturn]] void ThrowBpfError(Napi::Env env, const ErrorInfo& info);

}  // namespace bpf_addon
