{
  "targets": [
    {
      "target_name": "bpf_addon",
      "sources": [
        "src/addon.cc",
        "src/bpf_error.cc",
        "src/collection.cc",
        "src/events.cc",
        "src/libbpf_log.cc",
        "src/map_dump.cc"
      ],
      # node_addon_api_except adds NAPI_CPP_EXCEPTIONS and removes -fno-exceptions.
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc!": ["-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
      "libraries": ["-lbpf", "-lelf", "-lz"]
    }
  ]
}
