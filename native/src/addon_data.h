// Per-environment state. The addon may be loaded by several environments
// (worker threads), and a JS reference is only valid in the one that made it.
#pragma once

#include <napi.h>

namespace bpf_addon {

struct AddonData {
  // The TypeScript BpfError class, handed over once by setErrorClass().
  Napi::FunctionReference errorClass;
};

inline AddonData& GetAddonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace bpf_addon
