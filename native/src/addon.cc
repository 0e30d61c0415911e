// Module entry point. The TypeScript module native/index.ts is the only
// place that loads this file.
#include <napi.h>

#include "addon_data.h"
#include "collection.h"
#include "libbpf_log.h"

namespace bpf_addon {
namespace {

// setErrorClass(BpfError): called once by index.ts so that native failures
// reject with the TypeScript class. Its constructor takes
// (message, { errno, code, verifierLog, libbpfLog }).
Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "expected a class");
  GetAddonData(info.Env()).errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

}  // namespace
}  // namespace bpf_addon

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace bpf_addon;
  env.SetInstanceData(new AddonData());
  InstallLibbpfPrint();
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass, "setErrorClass"));
  InitCollection(env, exports);
  return exports;
}

NODE_API_MODULE(bpf_addon, Init)
