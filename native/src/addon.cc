// tapeflow's native CPU backend: N-API entry points, the thread pool and the runtime ISA dispatch.
//
// Every kernel works in place on the tensors' own typed arrays (zero-copy: the data pointers come from
// napi_get_typedarray_info); outputs are allocated by the JavaScript side and filled here. Calls are
// synchronous: the JS thread waits while the pool's threads work on its arrays.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "kernels.h"

namespace tapeflow {
namespace {

// ---- runtime ISA dispatch -----------------------------------------------------------------------------

const KernelTable* selectKernels(const char* forced) {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (forced != nullptr) {
    if (std::strcmp(forced, "generic") == 0) return kernels_generic();
    if (std::strcmp(forced, "avx2") == 0 && avx2) return kernels_avx2();
    if (std::strcmp(forced, "avx512") == 0 && avx512) return kernels_avx512();
  }
  if (avx512) return kernels_avx512();
  if (avx2) return kernels_avx2();
#else
  (void)forced;
#endif
  return kernels_generic();
}

const KernelTable* K = nullptr;

// ---- thread pool --------------------------------------------------------------------------------------
// Persistent workers (cores - 1; the calling thread takes part). run() hands out task indices through an
// atomic counter and returns when all are done. Only one run at a time: a second caller (another worker
// thread's Node environment) runs its tasks inline instead of waiting.

class ThreadPool {
 public:
  explicit ThreadPool(int threads) : size_(threads < 1 ? 1 : threads) {
    for (int i = 1; i < size_; i++) workers_.emplace_back([this] { loop(); });
  }
  int size() const { return size_; }

  void run(int64_t tasks, const std::function<void(int64_t)>& fn) {
    if (tasks <= 0) return;
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (tasks == 1 || size_ == 1 || !busy.owns_lock()) {
      for (int64_t t = 0; t < tasks; t++) fn(t);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(m_);
      job_ = &fn;
      tasks_ = tasks;
      next_.store(0);
      pending_ = (int)workers_.size();
      generation_++;
    }
    start_.notify_all();
    work(fn, tasks);
    std::unique_lock<std::mutex> lock(m_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
  }

 private:
  void work(const std::function<void(int64_t)>& fn, int64_t tasks) {
    for (;;) {
      const int64_t t = next_.fetch_add(1);
      if (t >= tasks) break;
      fn(t);
    }
  }
  void loop() {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int64_t)>* fn;
      int64_t tasks;
      {
        std::unique_lock<std::mutex> lock(m_);
        start_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        fn = job_;
        tasks = tasks_;
      }
      work(*fn, tasks);
      {
        std::lock_guard<std::mutex> lock(m_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  const int size_;
  std::vector<std::thread> workers_;
  std::mutex busy_;
  std::mutex m_;
  std::condition_variable start_, done_;
  const std::function<void(int64_t)>* job_ = nullptr;
  int64_t tasks_ = 0;
  std::atomic<int64_t> next_{0};
  int pending_ = 0;
  uint64_t generation_ = 0;
};

int configuredThreads() {
  if (const char* env = std::getenv("TAPEFLOW_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : (int)hw;
}

std::mutex poolInit;
ThreadPool* poolPtr = nullptr;  // never destroyed: its threads live as long as the process
int threadCount = 0;

ThreadPool& pool() {
  std::lock_guard<std::mutex> lock(poolInit);
  if (poolPtr == nullptr) poolPtr = new ThreadPool(threadCount > 0 ? threadCount : configuredThreads());
  return *poolPtr;
}

/** Runs fn over [0, n) in up to `parts` contiguous ranges on the pool, or inline when `parallel` is false. */
void parallelRanges(int64_t n, bool parallel, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (!parallel) {
    fn(0, n);
    return;
  }
  ThreadPool& p = pool();
  const int64_t parts = std::min<int64_t>(n, p.size());
  if (parts <= 1) {
    fn(0, n);
    return;
  }
  p.run(parts, [&](int64_t t) { fn(n * t / parts, n * (t + 1) / parts); });
}

// Work (multiply-adds) below which a GEMM runs on the calling thread alone; elements for elementwise.
constexpr double kGemmParallelWork = 1 << 20;
constexpr int64_t kEwParallel = 1 << 15;

template <typename T>
void gemmSerial(const GemmArgs<T>& g);
template <>
void gemmSerial<float>(const GemmArgs<float>& g) {
  K->sgemm(g);
}
template <>
void gemmSerial<double>(const GemmArgs<double>& g) {
  K->dgemm(g);
}

/** One GEMM, split over the pool along its larger output dimension (whole micro-tiles per thread). */
template <typename T>
void gemm(const GemmArgs<T>& g, bool allowParallel = true) {
  const double work = (double)g.M * (double)g.N * (double)g.K;
  if (!allowParallel || work < kGemmParallelWork) return gemmSerial(g);
  ThreadPool& p = pool();
  const int threads = p.size();
  if (threads <= 1) return gemmSerial(g);
  const int mr = sizeof(T) == 4 ? K->smr : K->dmr;
  const int nr = sizeof(T) == 4 ? K->snr : K->dnr;
  const bool splitN = (double)g.N / nr >= (double)g.M / mr;
  const int64_t unit = splitN ? nr : mr;
  const int64_t units = ((splitN ? g.N : g.M) + unit - 1) / unit;
  const int64_t parts = std::min<int64_t>(units, threads);
  if (parts <= 1) return gemmSerial(g);
  p.run(parts, [&](int64_t t) {
    const int64_t u0 = units * t / parts, u1 = units * (t + 1) / parts;
    GemmArgs<T> s = g;
    if (splitN) {
      const int64_t j0 = u0 * unit, j1 = std::min(g.N, u1 * unit);
      s.N = j1 - j0;
      s.b = g.b + j0 * g.csb;
      s.c = g.c + j0;
    } else {
      const int64_t i0 = u0 * unit, i1 = std::min(g.M, u1 * unit);
      s.M = i1 - i0;
      s.a = g.a + i0 * g.rsa;
      s.c = g.c + i0 * g.ldc;
    }
    if (s.M > 0 && s.N > 0) gemmSerial(s);
  });
}

// ---- argument helpers -----------------------------------------------------------------------------------

struct Array {
  napi_typedarray_type type;
  size_t length;
  void* data;
};

Array array(const Napi::CallbackInfo& info, size_t i) {
  Array a{napi_float32_array, 0, nullptr};
  napi_value ab;
  size_t byteOffset;
  napi_get_typedarray_info(info.Env(), info[i], &a.type, &a.length, &a.data, &ab, &byteOffset);
  return a;
}

double num(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }

bool isF32(const Array& a) { return a.type == napi_float32_array; }

// ---- entry points ---------------------------------------------------------------------------------------

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("isa", K->isa);
  o.Set("threads", pool().size());
  return o;
}

// matmul(a, b, out, meta): meta = [M, N, K, batch, rsa, csa, rsb, csb, aOff[batch]..., bOff[batch]...].
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  const Array a = array(info, 0), b = array(info, 1), out = array(info, 2), meta = array(info, 3);
  const double* m = static_cast<const double*>(meta.data);
  const int64_t M = (int64_t)m[0], N = (int64_t)m[1], Kd = (int64_t)m[2], batch = (int64_t)m[3];
  const double* aOff = m + 8;
  const double* bOff = m + 8 + batch;
  auto runAll = [&](auto* A, auto* B, auto* C) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(C)>>;
    auto one = [&](int64_t t, bool par) {
      GemmArgs<T> g{M, N, Kd, A + (int64_t)aOff[t], (int64_t)m[4], (int64_t)m[5], B + (int64_t)bOff[t],
                    (int64_t)m[6], (int64_t)m[7], C + t * M * N, N, false};
      gemm(g, par);
    };
    const double work = (double)M * N * Kd;
    if (batch > 1 && work < 8 * kGemmParallelWork && work * batch >= kGemmParallelWork) {
      pool().run(batch, [&](int64_t t) { one(t, false); });
    } else {
      for (int64_t t = 0; t < batch; t++) one(t, true);
    }
  };
  if (isF32(a))
    runAll(static_cast<const float*>(a.data), static_cast<const float*>(b.data), static_cast<float*>(out.data));
  else
    runAll(static_cast<const double*>(a.data), static_cast<const double*>(b.data),
           static_cast<double*>(out.data));
  return info.Env().Undefined();
}

// meta = [rank, shape[rank], aOff, aStrides[rank], (bOff, bStrides[rank])]
EwDesc describe(const double* m, const Array& out, const Array& a, const Array* b, size_t elem) {
  EwDesc d;
  d.rank = (int)m[0];
  const int r = d.rank;
  for (int i = 0; i < r; i++) d.shape[i] = (int64_t)m[1 + i];
  d.a = static_cast<const char*>(a.data) + (int64_t)m[1 + r] * (int64_t)elem;
  for (int i = 0; i < r; i++) d.as[i] = (int64_t)m[2 + r + i];
  if (b != nullptr) {
    d.b = static_cast<const char*>(b->data) + (int64_t)m[2 + 2 * r] * (int64_t)elem;
    for (int i = 0; i < r; i++) d.bs[i] = (int64_t)m[3 + 2 * r + i];
  } else {
    d.b = nullptr;
  }
  d.out = out.data;
  return d;
}

// binary(kind, out, a, b, meta)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  const int kind = (int)num(info, 0);
  const Array out = array(info, 1), a = array(info, 2), b = array(info, 3), meta = array(info, 4);
  const bool f32 = isF32(out);
  const EwDesc d = describe(static_cast<const double*>(meta.data), out, a, &b, f32 ? 4 : 8);
  const int64_t n = (int64_t)out.length;
  auto fn = f32 ? K->binary_f32 : K->binary_f64;
  parallelRanges(n, n >= kEwParallel, [&](int64_t s, int64_t e) { fn(kind, d, s, e); });
  return info.Env().Undefined();
}

// unary(kind, out, x, meta)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const int kind = (int)num(info, 0);
  const Array out = array(info, 1), a = array(info, 2), meta = array(info, 3);
  const bool f32 = isF32(out);
  const EwDesc d = describe(static_cast<const double*>(meta.data), out, a, nullptr, f32 ? 4 : 8);
  const int64_t n = (int64_t)out.length;
  auto fn = f32 ? K->unary_f32 : K->unary_f64;
  // Transcendentals cost ~10x an add: go parallel sooner.
  const int64_t threshold = kind == U_NEG || kind == U_ABS || kind == U_SQUARE || kind == U_RELU ||
                                    kind == U_STEP || kind == U_IDENTITY
                                ? kEwParallel
                                : kEwParallel / 8;
  parallelRanges(n, n >= threshold, [&](int64_t s, int64_t e) { fn(kind, d, s, e); });
  return info.Env().Undefined();
}

// reduce(kind, mode, x, xOffset, outer, inner, out): mode 0 folds rows (x[o, :]), 1 folds columns (x[:, j]).
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const int kind = (int)num(info, 0);
  const int mode = (int)num(info, 1);
  const Array x = array(info, 2);
  const int64_t off = (int64_t)num(info, 3), outer = (int64_t)num(info, 4), inner = (int64_t)num(info, 5);
  const Array out = array(info, 6);
  const bool f32 = isF32(x);
  const bool par = (double)outer * inner >= 4 * kEwParallel;
  if (mode == 0) {
    if (f32) {
      const float* p = static_cast<const float*>(x.data) + off;
      float* o = static_cast<float*>(out.data);
      parallelRanges(outer, par, [&](int64_t s, int64_t e) { K->reduce_rows_f32(kind, p, inner, o, s, e); });
    } else {
      const double* p = static_cast<const double*>(x.data) + off;
      double* o = static_cast<double*>(out.data);
      parallelRanges(outer, par, [&](int64_t s, int64_t e) { K->reduce_rows_f64(kind, p, inner, o, s, e); });
    }
  } else {
    if (f32) {
      const float* p = static_cast<const float*>(x.data) + off;
      float* o = static_cast<float*>(out.data);
      parallelRanges(inner, par && inner >= 64,
                     [&](int64_t s, int64_t e) { K->reduce_cols_f32(kind, p, outer, inner, o, s, e); });
    } else {
      const double* p = static_cast<const double*>(x.data) + off;
      double* o = static_cast<double*>(out.data);
      parallelRanges(inner, par && inner >= 64,
                     [&](int64_t s, int64_t e) { K->reduce_cols_f64(kind, p, outer, inner, o, s, e); });
    }
  }
  return info.Env().Undefined();
}

// ---- convolution and pooling (NHWC, HWIO), im2col + GEMM ------------------------------------------------

struct Geometry {
  int64_t N, H, W, C, FH, FW, CO, SH, SW, DH, DW, padTop, padBottom, padLeft, padRight, OH, OW;
};

Geometry geometry(const Array& g) {
  const double* p = static_cast<const double*>(g.data);
  return {(int64_t)p[0],  (int64_t)p[1],  (int64_t)p[2],  (int64_t)p[3],  (int64_t)p[4],  (int64_t)p[5],
          (int64_t)p[6],  (int64_t)p[7],  (int64_t)p[8],  (int64_t)p[9],  (int64_t)p[10], (int64_t)p[11],
          (int64_t)p[12], (int64_t)p[13], (int64_t)p[14], (int64_t)p[15], (int64_t)p[16]};
}

// Scratch for im2col columns, per calling thread, reused across calls.
thread_local std::vector<char> colScratch;

template <typename T>
T* scratch(int64_t elems) {
  const size_t bytes = (size_t)elems * sizeof(T);
  if (colScratch.size() < bytes) colScratch.resize(bytes);
  return reinterpret_cast<T*>(colScratch.data());
}

constexpr int64_t kColElems = 1 << 22;  // im2col chunk bound (16 MiB of float32)

template <typename T>
void im2colImage(const T* x, const Geometry& g, T* col) {
  const int64_t rowLen = g.FW * g.C;
  T* dst = col;
  for (int64_t oh = 0; oh < g.OH; oh++) {
    const int64_t ih0 = oh * g.SH - g.padTop;
    for (int64_t ow = 0; ow < g.OW; ow++) {
      const int64_t iw0 = ow * g.SW - g.padLeft;
      for (int64_t kh = 0; kh < g.FH; kh++) {
        const int64_t ih = ih0 + kh * g.DH;
        if (ih < 0 || ih >= g.H) {
          std::memset(dst, 0, sizeof(T) * rowLen);
          dst += rowLen;
          continue;
        }
        const T* xRow = x + ih * g.W * g.C;
        for (int64_t kw = 0; kw < g.FW; kw++, dst += g.C) {
          const int64_t iw = iw0 + kw * g.DW;
          if (iw < 0 || iw >= g.W)
            std::memset(dst, 0, sizeof(T) * g.C);
          else
            std::memcpy(dst, xRow + iw * g.C, sizeof(T) * g.C);
        }
      }
    }
  }
}

template <typename T>
void col2imImageAdd(const T* col, const Geometry& g, T* image) {
  const T* src = col;
  const int64_t rowLen = g.FW * g.C;
  for (int64_t oh = 0; oh < g.OH; oh++) {
    const int64_t ih0 = oh * g.SH - g.padTop;
    for (int64_t ow = 0; ow < g.OW; ow++) {
      const int64_t iw0 = ow * g.SW - g.padLeft;
      for (int64_t kh = 0; kh < g.FH; kh++) {
        const int64_t ih = ih0 + kh * g.DH;
        if (ih < 0 || ih >= g.H) {
          src += rowLen;
          continue;
        }
        for (int64_t kw = 0; kw < g.FW; kw++, src += g.C) {
          const int64_t iw = iw0 + kw * g.DW;
          if (iw < 0 || iw >= g.W) continue;
          T* d = image + (ih * g.W + iw) * g.C;
          for (int64_t c = 0; c < g.C; c++) d[c] += src[c];
        }
      }
    }
  }
}

template <typename T>
void conv2dImpl(const T* x, const T* f, T* y, const Geometry& g) {
  const int64_t Kk = g.FH * g.FW * g.C, P = g.OH * g.OW, img = g.H * g.W * g.C;
  if (g.N == 0 || P == 0 || g.CO == 0) return;
  const int64_t per = std::max<int64_t>(1, kColElems / std::max<int64_t>(1, P * Kk));
  T* col = scratch<T>(std::min(per, g.N) * P * Kk);
  for (int64_t n0 = 0; n0 < g.N; n0 += per) {
    const int64_t cn = std::min(per, g.N - n0);
    parallelRanges(cn, cn * P * Kk >= kEwParallel, [&](int64_t s, int64_t e) {
      for (int64_t n = s; n < e; n++) im2colImage(x + (n0 + n) * img, g, col + n * P * Kk);
    });
    GemmArgs<T> a{cn * P, g.CO, Kk, col, Kk, 1, f, g.CO, 1, y + n0 * P * g.CO, g.CO, false};
    gemm(a);
  }
}

template <typename T>
void conv2dBackpropInputImpl(const T* dy, const T* f, T* dx, const Geometry& g) {
  const int64_t Kk = g.FH * g.FW * g.C, P = g.OH * g.OW, img = g.H * g.W * g.C;
  if (g.N == 0 || P == 0 || Kk == 0) return;
  const int64_t per = std::max<int64_t>(1, kColElems / std::max<int64_t>(1, P * Kk));
  T* dcol = scratch<T>(std::min(per, g.N) * P * Kk);
  for (int64_t n0 = 0; n0 < g.N; n0 += per) {
    const int64_t cn = std::min(per, g.N - n0);
    // dcol[r, k] = sum_co dy[r, co] * filter[k, co]
    GemmArgs<T> a{cn * P, Kk, g.CO, dy + n0 * P * g.CO, g.CO, 1, f, 1, g.CO, dcol, Kk, false};
    gemm(a);
    parallelRanges(cn, cn * P * Kk >= kEwParallel, [&](int64_t s, int64_t e) {
      for (int64_t n = s; n < e; n++) col2imImageAdd(dcol + n * P * Kk, g, dx + (n0 + n) * img);
    });
  }
}

template <typename T>
void conv2dBackpropFilterImpl(const T* x, const T* dy, T* df, const Geometry& g) {
  const int64_t Kk = g.FH * g.FW * g.C, P = g.OH * g.OW, img = g.H * g.W * g.C;
  if (g.N == 0 || P == 0 || Kk == 0 || g.CO == 0) return;
  const int64_t per = std::max<int64_t>(1, kColElems / std::max<int64_t>(1, P * Kk));
  T* col = scratch<T>(std::min(per, g.N) * P * Kk);
  for (int64_t n0 = 0; n0 < g.N; n0 += per) {
    const int64_t cn = std::min(per, g.N - n0);
    parallelRanges(cn, cn * P * Kk >= kEwParallel, [&](int64_t s, int64_t e) {
      for (int64_t n = s; n < e; n++) im2colImage(x + (n0 + n) * img, g, col + n * P * Kk);
    });
    // df[k, co] += sum_r col[r, k] * dy[r, co]
    GemmArgs<T> a{Kk, g.CO, cn * P, col, 1, Kk, dy + n0 * P * g.CO, g.CO, 1, df, g.CO, true};
    gemm(a);
  }
}

template <typename T>
void maxPoolImpl(const T* x, T* y, int32_t* argmax, const Geometry& g) {
  const int64_t C = g.C;
  parallelRanges(g.N * g.OH, g.N * g.OH * g.OW * C * g.FH * g.FW >= kEwParallel, [&](int64_t s, int64_t e) {
    for (int64_t row = s; row < e; row++) {
      const int64_t n = row / g.OH, oh = row % g.OH;
      const int64_t ih0 = oh * g.SH - g.padTop;
      const int64_t xImage = n * g.H * g.W * C;
      for (int64_t ow = 0; ow < g.OW; ow++) {
        const int64_t iw0 = ow * g.SW - g.padLeft;
        const int64_t o = ((n * g.OH + oh) * g.OW + ow) * C;
        bool first = true;
        for (int64_t kh = 0; kh < g.FH; kh++) {
          const int64_t ih = ih0 + kh * g.DH;
          if (ih < 0 || ih >= g.H) continue;
          for (int64_t kw = 0; kw < g.FW; kw++) {
            const int64_t iw = iw0 + kw * g.DW;
            if (iw < 0 || iw >= g.W) continue;
            const int64_t base = xImage + (ih * g.W + iw) * C;
            if (first) {
              for (int64_t c = 0; c < C; c++) {
                y[o + c] = x[base + c];
                argmax[o + c] = (int32_t)(base + c);
              }
              first = false;
              continue;
            }
            for (int64_t c = 0; c < C; c++) {
              const T v = x[base + c];
              const T best = y[o + c];
              if (v > best || (v != v && best == best)) {
                y[o + c] = v;
                argmax[o + c] = (int32_t)(base + c);
              }
            }
          }
        }
        if (first) {
          for (int64_t c = 0; c < C; c++) {
            y[o + c] = -INFINITY;
            argmax[o + c] = -1;
          }
        }
      }
    }
  });
}

template <typename T>
void avgPoolImpl(const T* x, T* y, const Geometry& g) {
  const int64_t C = g.C;
  parallelRanges(g.N * g.OH, g.N * g.OH * g.OW * C * g.FH * g.FW >= kEwParallel, [&](int64_t s, int64_t e) {
    std::vector<double> acc((size_t)C);
    for (int64_t row = s; row < e; row++) {
      const int64_t n = row / g.OH, oh = row % g.OH;
      const int64_t ih0 = oh * g.SH - g.padTop;
      const int64_t xImage = n * g.H * g.W * C;
      for (int64_t ow = 0; ow < g.OW; ow++) {
        const int64_t iw0 = ow * g.SW - g.padLeft;
        std::fill(acc.begin(), acc.end(), 0.0);
        int64_t count = 0;
        for (int64_t kh = 0; kh < g.FH; kh++) {
          const int64_t ih = ih0 + kh * g.DH;
          if (ih < 0 || ih >= g.H) continue;
          for (int64_t kw = 0; kw < g.FW; kw++) {
            const int64_t iw = iw0 + kw * g.DW;
            if (iw < 0 || iw >= g.W) continue;
            const T* p = x + xImage + (ih * g.W + iw) * C;
            for (int64_t c = 0; c < C; c++) acc[c] += (double)p[c];
            count++;
          }
        }
        if (count == 0) continue;
        T* o = y + ((n * g.OH + oh) * g.OW + ow) * C;
        for (int64_t c = 0; c < C; c++) o[c] = (T)(acc[c] / (double)count);
      }
    }
  });
}

// conv2d(x, filter, y, geometry) and the two backward passes, same argument order as the Backend methods
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  const Array x = array(info, 0), f = array(info, 1), y = array(info, 2);
  const Geometry g = geometry(array(info, 3));
  if (isF32(x))
    conv2dImpl(static_cast<const float*>(x.data), static_cast<const float*>(f.data), static_cast<float*>(y.data), g);
  else
    conv2dImpl(static_cast<const double*>(x.data), static_cast<const double*>(f.data),
               static_cast<double*>(y.data), g);
  return info.Env().Undefined();
}

Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  const Array dy = array(info, 0), f = array(info, 1), dx = array(info, 2);
  const Geometry g = geometry(array(info, 3));
  if (isF32(dy))
    conv2dBackpropInputImpl(static_cast<const float*>(dy.data), static_cast<const float*>(f.data),
                            static_cast<float*>(dx.data), g);
  else
    conv2dBackpropInputImpl(static_cast<const double*>(dy.data), static_cast<const double*>(f.data),
                            static_cast<double*>(dx.data), g);
  return info.Env().Undefined();
}

Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  const Array x = array(info, 0), dy = array(info, 1), df = array(info, 2);
  const Geometry g = geometry(array(info, 3));
  if (isF32(x))
    conv2dBackpropFilterImpl(static_cast<const float*>(x.data), static_cast<const float*>(dy.data),
                             static_cast<float*>(df.data), g);
  else
    conv2dBackpropFilterImpl(static_cast<const double*>(x.data), static_cast<const double*>(dy.data),
                             static_cast<double*>(df.data), g);
  return info.Env().Undefined();
}

// maxPool(x, y, argmax, geometry)
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  const Array x = array(info, 0), y = array(info, 1), am = array(info, 2);
  const Geometry g = geometry(array(info, 3));
  int32_t* argmax = static_cast<int32_t*>(am.data);
  if (isF32(x))
    maxPoolImpl(static_cast<const float*>(x.data), static_cast<float*>(y.data), argmax, g);
  else
    maxPoolImpl(static_cast<const double*>(x.data), static_cast<double*>(y.data), argmax, g);
  return info.Env().Undefined();
}

// avgPool(x, y, geometry)
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  const Array x = array(info, 0), y = array(info, 1);
  const Geometry g = geometry(array(info, 2));
  if (isF32(x))
    avgPoolImpl(static_cast<const float*>(x.data), static_cast<float*>(y.data), g);
  else
    avgPoolImpl(static_cast<const double*>(x.data), static_cast<double*>(y.data), g);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static std::once_flag once;
  std::call_once(once, [] { K = selectKernels(std::getenv("TAPEFLOW_NATIVE_ISA")); });
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2dBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2dBackpropFilter));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  return exports;
}

}  // namespace
}  // namespace tapeflow

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return tapeflow::Init(env, exports); }

NODE_API_MODULE(tapeflow_native, InitModule)
