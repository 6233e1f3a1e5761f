{
  # vigil's ReadDirectoryChangesW binding. On Windows node-gyp (MSVC) builds it
  # from this file; on Linux scripts/prebuild.mjs cross-builds the win32-x64
  # binary with mingw-w64 from the same source list (the OS=='win' sources
  # below; see scripts/build-addon.mjs), and `node scripts/setup.mjs` builds
  # the stub that reports `unsupported`.
  "targets": [
    {
      "target_name": "vigil_rdcw",
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-fexceptions"],
      "conditions": [
        ["OS=='win'", {
          "sources": [
            "src/addon.cc",
            "src/win_error.cc",
            "src/unique_handle.cc",
            "src/watch_thread.cc",
            "src/rdcw_root.cc",
            "src/volume_info.cc",
            "src/long_path.cc"
          ],
          "defines": ["UNICODE", "_UNICODE", "WIN32_LEAN_AND_MEAN", "NOMINMAX", "_WIN32_WINNT=0x0A00"],
          "msvs_settings": {
            "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17", "/utf-8"] }
          }
        }, {
          "sources": ["src/unsupported.cc"]
        }]
      ]
    }
  ]
}
