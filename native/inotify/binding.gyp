{
  # vigil's low-level inotify binding. Built by `node scripts/setup.mjs` with
  # node-gyp against the installed Node headers (never downloaded ones).
  "targets": [
    {
      "target_name": "vigil_inotify",
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-fexceptions"],
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "src/addon.cc",
            "src/unique_fd.cc",
            "src/inotify_fd.cc",
            "src/errno_name.cc",
            "src/batch_packer.cc",
            "src/reader_thread.cc",
            "src/inotify_reader.cc",
            "src/dir_walker.cc",
            "src/walk_worker.cc"
          ],
          "libraries": ["-lpthread"]
        }, {
          "sources": ["src/unsupported.cc"]
        }]
      ]
    }
  ]
}
