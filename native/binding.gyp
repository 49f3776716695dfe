# tapeflow's native backend. Built by `npm install` (see scripts/install in package.json) with node-gyp.
# One translation unit per instruction set, each with its own -m flags; the addon picks one at run time
# (__builtin_cpu_supports). Never -march=native: the binary must run on any x86-64.
{
  "target_defaults": {
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++14", "-std=gnu++1y"],
    "cflags_cc": ["-std=c++17", "-O3", "-fPIC", "-fexceptions"],
    "cflags!": ["-O2", "-O0"],
    "include_dirs": ["src"],
  },
  "targets": [
    {
      "target_name": "tapeflow_native",
      "sources": ["src/addon.cc", "src/isa_generic.cc", "src/conv_generic.cc", "src/softmax.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
      "conditions": [
        ["target_arch=='x64'", {"dependencies": ["tapeflow_avx2", "tapeflow_avx512"]}],
      ],
    },
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "tapeflow_avx2",
          "type": "static_library",
          "sources": ["src/isa_avx2.cc", "src/conv_avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma"],
        },
        {
          "target_name": "tapeflow_avx512",
          "type": "static_library",
          "sources": ["src/isa_avx512.cc", "src/conv_avx512.cc"],
          "cflags_cc": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma"],
        },
      ],
    }],
  ],
}
