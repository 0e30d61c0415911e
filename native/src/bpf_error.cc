#include "bpf_error.h"

#include <bpf/libbpf.h>

#include <cstring>

#include "addon_data.h"

namespace bpf_addon {
namespace {

// Kernel-internal errno that leaks out of bpf(2) (e.g. a map type without
// batch ops); glibc has no name for it.
constexpr int kENOTSUPP = 524;

const char* const kLibbpfCodes[] = {
    "LIBBPF_ERRNO__LIBELF",   "LIBBPF_ERRNO__FORMAT", "LIBBPF_ERRNO__KVERSION",
    "LIBBPF_ERRNO__ENDIAN",   "LIBBPF_ERRNO__INTERNAL", "LIBBPF_ERRNO__RELOC",
    "LIBBPF_ERRNO__LOAD",     "LIBBPF_ERRNO__VERIFY", "LIBBPF_ERRNO__PROG2BIG",
    "LIBBPF_ERRNO__KVER",     "LIBBPF_ERRNO__PROGTYPE", "LIBBPF_ERRNO__WRNGPID",
    "LIBBPF_ERRNO__INVSEQ",   "LIBBPF_ERRNO__NLPARSE",
};
static_assert(sizeof kLibbpfCodes / sizeof kLibbpfCodes[0] ==
                  __LIBBPF_ERRNO__END - __LIBBPF_ERRNO__START,
              "one name per libbpf error code");

}  // namespace

std::string ErrnoCode(int err) {
  if (err == kENOTSUPP) return "ENOTSUPP";
  if (err >= __LIBBPF_ERRNO__START && err < __LIBBPF_ERRNO__END)
    return kLibbpfCodes[err - __LIBBPF_ERRNO__START];
  if (const char* name = strerrorname_np(err)) return name;
  return "E" + std::to_string(err);
}

std::string ErrnoText(int err) {
  if (err == kENOTSUPP) return "Operation not supported by this map or program type";
  char buf[256];
  libbpf_strerror(err, buf, sizeof buf);
  return buf;
}

ErrorInfo CallFailure(int err, const std::string& what, std::string libbpfLog) {
  ErrorInfo info;
  info.err = err;
  info.code = ErrnoCode(err);
  info.message = what + ": " + ErrnoText(err);
  info.libbpfLog = std::move(libbpfLog);
  return info;
}

ErrorInfo StateFailure(int err, const char* code, std::string message) {
  ErrorInfo info;
  info.err = err;
  info.code = code;
  info.message = std::move(message);
  return info;
}

Napi::Value MakeBpfError(Napi::Env env, const ErrorInfo& info) {
  Napi::Object fields = Napi::Object::New(env);
  fields.Set("errno", info.err);
  fields.Set("code", info.code);
  fields.Set("verifierLog",
             info.hasVerifierLog ? Napi::Value(Napi::String::New(env, info.verifierLog))
                                 : env.Null());
  fields.Set("libbpfLog", info.libbpfLog);

  Napi::FunctionReference& cls = GetAddonData(env).errorClass;
  if (!cls.IsEmpty()) return cls.New({Napi::String::New(env, info.message), fields});

  // setErrorClass() was never called: still give the caller the fields.
  Napi::Object error = Napi::Error::New(env, info.message).Value();
  for (const char* key : {"errno", "code", "verifierLog", "libbpfLog"})
    error.Set(key, fields.Get(key));
  return error;
}

void ThrowBpfError(Napi::Env env, const ErrorInfo& info) {
  throw Napi::Error(env, MakeBpfError(env, info));
}

}  // namespace bpf_addon
