{
  "targets": [
    {
      "target_name": "autoresearch_native",
      "sources": ["src/addon.c", "src/kernels.c", "src/dense.c", "src/dense-napi.c", "src/neutral.c", "src/neutral-napi.c"],
      "libraries": ["-lopenblas", "-lm"],
      "cflags": ["-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math", "-fopenmp-simd", "-std=c11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
