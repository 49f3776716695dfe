// tapeflow's native CPU backend: N-API entry points, the thread pool and the runtime ISA dispatch.
//
// Every kernel works in place on the tensors' own typed arrays (zero-copy: the data pointers come from
// napi_get_typedarray_info); outputs are allocated by the JavaScript side and filled here. Calls are
// synchronous: the JS thread waits while the pool's threads work on its arrays.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <dirent.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "conv_kernels.h"
#include "kernels.h"
#include "softmax.h"

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
const ConvKernelTable* CK = nullptr;

// The convolution table of the same instruction set as K.
const ConvKernelTable* convKernelsFor(const KernelTable* k) {
#if defined(__x86_64__) || defined(_M_X64)
  if (std::strcmp(k->isa, "avx512") == 0) return conv_kernels_avx512();
  if (std::strcmp(k->isa, "avx2") == 0) return conv_kernels_avx2();
#endif
  return conv_kernels_generic();
}

// ---- thread pool --------------------------------------------------------------------------------------
// Persistent workers (threads - 1; the calling thread takes part). run() publishes a job by bumping a
// generation counter, hands out task indices through an atomic counter and returns when all are done.
//
// Dispatch has to cost well under the ~10 us a small GEMM or elementwise op takes, so nothing on the hot
// path takes a lock or makes a system call: after a job a worker spins on the generation word for a
// bounded time (kSpinNs) and only then sleeps on the condition variable; the caller notifies only when
// some worker is actually asleep. Completion needs no wake-up either: the caller runs tasks itself until
// none are left, then closes the job and spins until the workers that joined it have left. A worker that
// shows up after the job closed (asleep or descheduled meanwhile) skips it, so the caller never waits for
// a sleeping worker, and `job_`, which points into the caller's stack, is only read by workers that
// joined while it was open.
//
// Only one run at a time: a second caller (a task calling parallel code, or another worker thread's
// Node environment) runs its tasks inline instead of waiting. The workers are never joined: the pool
// lives until the process exits, which does not wait for them.

// One polling step of a spin-wait: tells the core (and a hyperthread sibling) that we are waiting.
inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// A spin-wait on another thread's progress that gives the core away now and then (the thread it waits
// for may have been descheduled).
template <typename Done>
void spinUntil(Done done) {
  for (int i = 1; !done(); i++) {
    if ((i & 1023) == 0) std::this_thread::yield();
    else cpuRelax();
  }
}

// The pool's workers run at the lowest priority (nice 19) unless TAPEFLOW_WORKER_NICE says otherwise (0
// keeps the caller's). The calling thread takes part in every parallel kernel and the workers only take
// tasks it has not started yet, so a worker that gets no core costs a kernel its help, never its result.
// Where the runtime's helper threads (V8's optimizing compiler and garbage collector) want a core, they
// get it before a worker, and the JavaScript they compile and the memory they free are the training
// loop's own: an MLP epoch on two cores went from ~134k to ~150k samples/s (cold process) and from
// ~187k to ~230k (third epoch), medians of six runs. Linux only; errors are ignored.
void lowerWorkerPriority() {
#if defined(__linux__)
  int nice = 19;
  if (const char* env = std::getenv("TAPEFLOW_WORKER_NICE")) nice = std::atoi(env);
  if (nice <= 0 || nice > 19) return;
  setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
#endif
}

class ThreadPool {
 public:
  explicit ThreadPool(int threads) : size_(threads < 1 ? 1 : threads) {
    for (int i = 1; i < size_; i++) std::thread([this] { loop(); }).detach();
  }
  int size() const { return size_; }

  void run(int64_t tasks, const std::function<void(int64_t)>& fn) {
    if (tasks <= 0) return;
    if (tasks == 1 || size_ == 1 || busy_.exchange(true, std::memory_order_acquire)) {
      for (int64_t t = 0; t < tasks; t++) fn(t);
      return;
    }
    // The previous job is closed with no worker inside, so nobody reads these while they change.
    job_ = &fn;
    tasks_ = tasks;
    next_.store(0, std::memory_order_relaxed);
    gen_ = (gen_ + 1) & kGenMask;
    // seq_cst store then seq_cst load, against the sleeper's increment then predicate check: either we
    // see it asleep and notify, or it sees the new generation before waiting.
    state_.store((uint64_t)gen_ << kGenShift, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lock(m_);
      wake_.notify_all();
    }
    work(fn, tasks);
    // A joined worker is at most one task behind us, unless the OS took its core away: then yield ours.
    state_.fetch_or(kClosed, std::memory_order_acq_rel);
    spinUntil([&] { return (state_.load(std::memory_order_acquire) & kCountMask) == 0; });
    busy_.store(false, std::memory_order_release);
  }

 private:
  // Layout of state_: generation in the high 32 bits, a closed flag, and the number of workers inside.
  static constexpr int kGenShift = 32;
  static constexpr uint64_t kGenMask = 0xffffffffu;
  static constexpr uint64_t kClosed = 1u << 31;
  static constexpr uint64_t kCountMask = kClosed - 1;
  // How long an idle worker keeps polling before it sleeps: longer than the gap between the ops of a
  // training step (JS bookkeeping between native calls), short enough not to burn a core when idle.
  static constexpr int64_t kSpinNs = 200000;

  void work(const std::function<void(int64_t)>& fn, int64_t tasks) {
    for (;;) {
      const int64_t t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= tasks) break;
      fn(t);
    }
  }

  // Waits until the generation differs from `seen`; returns the state word that showed it.
  uint64_t awaitJob(uint64_t seen) {
    uint64_t s = state_.load(std::memory_order_acquire);
    if ((s >> kGenShift) != seen) return s;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(kSpinNs);
    for (int i = 1;; i++) {
      cpuRelax();
      s = state_.load(std::memory_order_acquire);
      if ((s >> kGenShift) != seen) return s;
      if ((i & 255) == 0 && std::chrono::steady_clock::now() > deadline) break;
    }
    std::unique_lock<std::mutex> lock(m_);
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    wake_.wait(lock, [&] {
      s = state_.load(std::memory_order_seq_cst);
      return (s >> kGenShift) != seen;
    });
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
    return s;
  }

  void loop() {
    lowerWorkerPriority();
    uint64_t seen = 0;
    for (;;) {
      uint64_t s = awaitJob(seen);
      seen = s >> kGenShift;
      // Join the job unless it is already closed (or superseded: the CAS then fails on the generation).
      bool joined = false;
      while ((s & kClosed) == 0 && (s >> kGenShift) == seen) {
        if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
          joined = true;
          break;
        }
      }
      if (!joined) continue;
      work(*job_, tasks_);
      state_.fetch_sub(1, std::memory_order_release);
    }
  }

  const int size_;
  std::atomic<bool> busy_{false};
  uint32_t gen_ = 0;  // written by the caller holding busy_ only
  // Everything a worker touches per job shares one cache line with the word it polls.
  alignas(64) std::atomic<uint64_t> state_{0};
  const std::function<void(int64_t)>* job_ = nullptr;
  int64_t tasks_ = 0;
  std::atomic<int64_t> next_{0};
  alignas(64) std::atomic<int> sleepers_{0};
  std::mutex m_;
  std::condition_variable wake_;
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

/**
 * Runs fn over [0, n) in chunks of `grain` that the pool's threads take one at a time, or inline when
 * `parallel` is false. For kernels a thread that joins late should help with instead of hold back (see
 * gemmRowTasks): with one range per thread, the caller finished its own and then waited for the rest.
 */
void parallelChunks(int64_t n, int64_t grain, bool parallel, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int64_t chunks = (n + grain - 1) / grain;
  if (!parallel || chunks <= 1) {
    fn(0, n);
    return;
  }
  pool().run(chunks, [&](int64_t t) { fn(t * grain, std::min(n, (t + 1) * grain)); });
}

// Work (multiply-adds) below which a GEMM runs on the calling thread alone; elements for elementwise.
constexpr double kGemmParallelWork = 1 << 20;
constexpr int64_t kEwParallel = 1 << 15;

template <typename T>
const GemmTable<T>& gemmTable() {
  if constexpr (sizeof(T) == 4) return K->sgemm;
  else return K->dgemm;
}

template <typename T>
void gemmSerial(const GemmArgs<T>& g) {
  gemmTable<T>().run(g);
}

// A GEMM whose packed op(B) is at most this large splits its rows into tasks (gemmRowTasks).
constexpr int64_t kRowTaskPanelBytes = 512 << 10;

/**
 * A parallel GEMM over many small row blocks of C that the threads take one at a time. Splitting C in
 * two halves left the calling thread waiting for a worker that joined late (its core busy, or asleep
 * between the ops of a step) for a whole half; with blocks, a late thread only takes fewer of them. Each
 * thread packs all of op(B) into its own buffer when it takes its first block (its own cache: packed
 * panels shared between cores cost more to read than to pack again), then packs and multiplies the rows
 * of each block it takes. Returns false when op(B) is one vector wide (run's narrow path is better) or
 * its packed copy would not stay in a core's cache.
 */
template <typename T>
bool gemmRowTasks(const GemmArgs<T>& g, ThreadPool& p) {
  const GemmTable<T>& kt = gemmTable<T>();
  const int64_t mr = kt.mr, nr = kt.nr, depth = panelDepth(g.K);
  const int64_t mPanels = (g.M + mr - 1) / mr, nPanels = (g.N + nr - 1) / nr;
  const int64_t bSize = nPanels * nr * depth;
  if (2 * g.N <= nr || bSize * (int64_t)sizeof(T) > kRowTaskPanelBytes) return false;
  // About four blocks per thread.
  const int64_t wanted = 4 * (int64_t)p.size();
  const int64_t blockPanels = std::max<int64_t>(1, (mPanels + wanted - 1) / wanted);
  const int64_t blocks = (mPanels + blockPanels - 1) / blockPanels;
  // Which call a thread's packed op(B) belongs to.
  static std::atomic<uint64_t> calls{0};
  const uint64_t call = calls.fetch_add(1, std::memory_order_relaxed) + 1;
  // Rows of op(A) and op(B) contiguous (the forward product of a dense layer): no packing at all.
  const bool direct = g.csb == 1 && g.csa == 1;
  p.run(blocks, [&](int64_t t) {
    if (direct) {
      const int64_t p0 = t * blockPanels, p1 = std::min(mPanels, p0 + blockPanels);
      kt.tileDirect(g, p0 * mr, std::min(g.M, p1 * mr), 0, g.N);
      return;
    }
    static thread_local uint64_t packedFor = 0;
    static thread_local std::vector<T> buffer;
    const int64_t align = 64 / (int64_t)sizeof(T);
    const int64_t aSize = blockPanels * mr * depth;
    if ((int64_t)buffer.size() < bSize + aSize + align) {
      buffer.resize((size_t)(bSize + aSize + align));
      packedFor = 0;
    }
    T* bp = buffer.data();
    bp += (align - (int64_t)(reinterpret_cast<uintptr_t>(bp) / sizeof(T)) % align) % align;
    T* ap = bp + bSize;
    if (packedFor != call) {
      for (int64_t q = 0; q < nPanels; q++) kt.packB(g, q, 0, g.K, bp);
      packedFor = call;
    }
    const int64_t p0 = t * blockPanels, p1 = std::min(mPanels, p0 + blockPanels);
    kt.packA(g, p0, p1, ap);
    kt.tile(g, ap, bp, p0 * mr, std::min(g.M, p1 * mr), 0, g.N);
  });
  return true;
}

/**
 * One GEMM, split over the pool. Every split costs some duplicated work, and the cheapest one is picked:
 * splitting the rows of C (M) makes each thread pack all of op(B) (K*N extra per thread), splitting the
 * columns (N) makes each pack all of op(A) (M*K), and splitting the depth (K) makes each thread but the
 * first write a private M*N partial product that is added in afterwards (about 2*M*N). The MLP shapes
 * need all three: [128,784]x[784,128] splits K, [784,128]^T-view x [128,128] splits M, and the filter
 * gradient of a convolution (K = batch * output pixels) splits K.
 */
template <typename T>
void gemm(const GemmArgs<T>& g, bool allowParallel = true) {
  const double work = (double)g.M * (double)g.N * (double)g.K;
  if (!allowParallel || work < kGemmParallelWork) return gemmSerial(g);
  ThreadPool& p = pool();
  const int threads = p.size();
  if (threads <= 1) return gemmSerial(g);
  const GemmTable<T>& kt = gemmTable<T>();
  const int64_t mr = kt.mr, nr = kt.nr;
  const int64_t mUnits = (g.M + mr - 1) / mr, nUnits = (g.N + nr - 1) / nr;
  // K is split in slices of whole cache lines, each at least kMinDepth deep (below that the micro-kernel's
  // load/store of C outweighs its multiply-adds).
  constexpr int64_t kMinDepth = 128;
  const int64_t kUnits = g.K / kMinDepth;
  const double dupB = (double)g.K * g.N, dupA = (double)g.M * g.K, dupC = 2.0 * g.M * g.N;
  enum { kM, kN, kK } split;
  if (kUnits >= 2 && dupC < dupA && dupC < dupB && std::min(mUnits, nUnits) < 2 * threads) split = kK;
  else if (mUnits >= threads && (dupB <= dupA || nUnits < threads)) split = kM;
  else if (nUnits >= threads) split = kN;
  else if (kUnits >= 2) split = kK;
  else split = mUnits >= nUnits ? kM : kN;

  if (split == kK) {
    const int64_t parts = std::min<int64_t>(kUnits, threads);
    // Partial products of parts 1.. in a scratch buffer of the calling thread (reused across calls).
    static thread_local std::vector<T> partial;
    const int64_t mn = g.M * g.N;
    if ((int64_t)partial.size() < (parts - 1) * mn) partial.resize((size_t)((parts - 1) * mn));
    T* scratch = partial.data();
    p.run(parts, [&](int64_t t) {
      const int64_t k0 = (g.K * t / parts) & ~int64_t(15), k1 = t + 1 == parts ? g.K : (g.K * (t + 1) / parts) & ~int64_t(15);
      GemmArgs<T> s = g;
      s.K = k1 - k0;
      s.a = g.a + k0 * g.csa;
      s.b = g.b + k0 * g.rsb;
      if (t > 0) {
        s.c = scratch + (t - 1) * mn;
        s.ldc = g.N;
        s.accumulate = false;
      }
      gemmSerial(s);
    });
    // C += the partials, rows split over the pool.
    parallelRanges(g.M, mn >= kEwParallel, [&](int64_t i0, int64_t i1) {
      for (int64_t q = 1; q < parts; q++)
        for (int64_t i = i0; i < i1; i++) {
          T* __restrict c = g.c + i * g.ldc;
          const T* __restrict s = scratch + (q - 1) * mn + i * g.N;
          for (int64_t j = 0; j < g.N; j++) c[j] += s[j];
        }
    });
    return;
  }

  if (gemmRowTasks(g, p)) return;
  const bool splitN = split == kN;
  const int64_t unit = splitN ? nr : mr;
  const int64_t units = splitN ? nUnits : mUnits;
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

/** Calls fn with a float or a double (a dtype tag) as `a` holds float32 or float64 data. */
template <typename F>
void forFloat(const Array& a, F&& fn) {
  if (isF32(a)) fn(float{});
  else fn(double{});
}

/** The array's data as T* (the dtype tag of forFloat names T). */
template <typename T>
T* data(const Array& a) {
  return static_cast<T*>(a.data);
}

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
  forFloat(a, [&](auto t) {
    using T = decltype(t);
    runAll(data<const T>(a), data<const T>(b), data<T>(out));
  });
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

using Geometry = ConvGeom;

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

// Reductions up to this many taps (FH*FW*C) run the direct kernels of conv_impl.h instead of im2col+GEMM.
constexpr int64_t kDirectTaps = 36;

template <typename T>
ConvForwardFn<T> directForward() {
  if constexpr (sizeof(T) == 4) return CK->forward_f32;
  else return CK->forward_f64;
}
template <typename T>
ConvFilterFn<T> directFilter() {
  if constexpr (sizeof(T) == 4) return CK->filter_f32;
  else return CK->filter_f64;
}

/** Row length of the padded [rows, CO] copies the direct kernels read whole vectors from. */
template <typename T>
int64_t paddedWidth(int64_t co) {
  const int64_t lanes = CK->vectorBytes / (int64_t)sizeof(T);
  return (co + lanes - 1) / lanes * lanes;
}

// Pixels per task: enough work that a task outweighs handing it out.
constexpr int64_t kPixelsPerTask = 256;

// The filter as [Kk, COp] rows and the bias as [COp], zero-padded to whole vectors (the direct kernels
// load full vectors of output channels).
template <typename T>
struct PaddedFilter {
  int64_t COp;
  std::vector<T> filter, bias;
  PaddedFilter(const T* f, const T* b, const Geometry& g) : COp(paddedWidth<T>(g.CO)) {
    const int64_t Kk = g.FH * g.FW * g.C;
    filter.assign((size_t)(Kk * COp), T(0));
    for (int64_t t = 0; t < Kk; t++) std::memcpy(filter.data() + t * COp, f + t * g.CO, sizeof(T) * g.CO);
    if (b != nullptr) {
      bias.assign((size_t)COp, T(0));
      std::memcpy(bias.data(), b, sizeof(T) * g.CO);
    }
  }
  const T* biasOrNull() const { return bias.empty() ? nullptr : bias.data(); }
};

template <typename T>
void conv2dDirect(const T* x, const T* f, const T* bias, int act, T* y, const Geometry& g) {
  const int64_t Kk = g.FH * g.FW * g.C, P = g.N * g.OH * g.OW;
  const PaddedFilter<T> fp(f, bias, g);
  const ConvForwardFn<T> kernel = directForward<T>();
  const int64_t tasks = (P + kPixelsPerTask - 1) / kPixelsPerTask;
  parallelRanges(tasks, P * g.CO >= kEwParallel, [&](int64_t s, int64_t e) {
    std::vector<T> taps((size_t)(4 * Kk));  // the kernel gathers up to 4 pixels at a time
    kernel(x, fp.filter.data(), fp.COp, fp.biasOrNull(), act, y + s * kPixelsPerTask * g.CO, g, s * kPixelsPerTask,
           std::min(P, e * kPixelsPerTask), taps.data());
  });
}

template <typename T>
void conv2dImpl(const T* x, const T* f, const T* bias, int act, T* y, const Geometry& g) {
  const int64_t Kk = g.FH * g.FW * g.C, P = g.OH * g.OW, img = g.H * g.W * g.C;
  if (g.N == 0 || P == 0 || g.CO == 0) return;
  if (Kk <= kDirectTaps) return conv2dDirect(x, f, bias, act, y, g);
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
  if (bias == nullptr && act == ACT_NONE) return;
  const int64_t rows = g.N * P;
  parallelRanges(rows, rows * g.CO >= kEwParallel, [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; r++) {
      T* row = y + r * g.CO;
      for (int64_t c = 0; c < g.CO; c++) {
        const T v = bias != nullptr ? row[c] + bias[c] : row[c];
        row[c] = act == ACT_RELU && v <= T(0) ? T(0) : v;  // NaN compares false: relu keeps it
      }
    }
  });
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

// Filter gradient by the direct kernel: each part of the pixels accumulates its own padded copy, summed at
// the end (a fixed order, so the result does not depend on scheduling).
template <typename T>
void conv2dFilterDirect(const T* x, const T* dy, const T* mask, T* df, T* db, const Geometry& g) {
  const int64_t Kk = g.FH * g.FW * g.C, P = g.N * g.OH * g.OW, COp = paddedWidth<T>(g.CO);
  const int64_t rows = Kk + 1;  // the filter's taps, then the bias
  const ConvFilterFn<T> kernel = directFilter<T>();
  const bool parallel = P * g.CO >= kEwParallel;
  const int64_t parts = parallel ? std::min<int64_t>(pool().size(), (P + kPixelsPerTask - 1) / kPixelsPerTask) : 1;
  std::vector<T> partial((size_t)(parts * rows * COp), T(0));
  auto one = [&](int64_t t) {
    std::vector<T> taps((size_t)Kk);
    const int64_t p0 = P * t / parts;
    kernel(x, dy + p0 * g.CO, mask != nullptr ? mask + p0 * g.CO : nullptr, partial.data() + t * rows * COp, COp, g, p0,
           P * (t + 1) / parts, taps.data());
  };
  if (parts > 1) pool().run(parts, one);
  else one(0);
  for (int64_t t = 0; t < rows; t++) {
    T* dst = t < Kk ? df + t * g.CO : db;
    if (dst == nullptr) continue;
    for (int64_t co = 0; co < g.CO; co++) {
      T sum = T(0);
      for (int64_t part = 0; part < parts; part++) sum += partial[(size_t)((part * rows + t) * COp + co)];
      dst[co] = sum;
    }
  }
}

template <typename T>
void conv2dBackpropFilterImpl(const T* x, const T* dy, T* df, const Geometry& g) {
  const int64_t Kk = g.FH * g.FW * g.C, P = g.OH * g.OW, img = g.H * g.W * g.C;
  if (g.N == 0 || P == 0 || Kk == 0 || g.CO == 0) return;
  if (Kk <= kDirectTaps) return conv2dFilterDirect(x, dy, static_cast<const T*>(nullptr), df, static_cast<T*>(nullptr), g);
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
  MaxPoolFn<T> kernel;
  if constexpr (sizeof(T) == 4) kernel = CK->maxpool_f32;
  else kernel = CK->maxpool_f64;
  parallelRanges(g.N * g.OH, g.N * g.OH * g.OW * g.C * g.FH * g.FW >= kEwParallel,
                 [&](int64_t s, int64_t e) { kernel(x, y, argmax, g, s, e); });
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

// conv2d(x, filter, y, geometry[, bias, activation]) and the two backward passes, same argument order as the Backend methods
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  const Array x = array(info, 0), f = array(info, 1), y = array(info, 2);
  const Geometry g = geometry(array(info, 3));
  const bool hasBias = info.Length() > 4 && info[4].IsTypedArray();
  const void* bias = hasBias ? array(info, 4).data : nullptr;
  const int act = info.Length() > 5 ? (int)num(info, 5) : ACT_NONE;
  forFloat(x, [&](auto t) {
    using T = decltype(t);
    conv2dImpl(data<const T>(x), data<const T>(f), static_cast<const T*>(bias), act, data<T>(y), g);
  });
  return info.Env().Undefined();
}

Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  const Array dy = array(info, 0), f = array(info, 1), dx = array(info, 2);
  const Geometry g = geometry(array(info, 3));
  forFloat(dy, [&](auto t) {
    using T = decltype(t);
    conv2dBackpropInputImpl(data<const T>(dy), data<const T>(f), data<T>(dx), g);
  });
  return info.Env().Undefined();
}

Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  const Array x = array(info, 0), dy = array(info, 1), df = array(info, 2);
  const Geometry g = geometry(array(info, 3));
  forFloat(x, [&](auto t) {
    using T = decltype(t);
    conv2dBackpropFilterImpl(data<const T>(x), data<const T>(dy), data<T>(df), g);
  });
  return info.Env().Undefined();
}

// The filter and bias gradients of a convolution followed by bias (and relu, when `mask`, its output, is
// given: the gradient is then dy where mask > 0), into out = [filter gradient (FH*FW*C*CO), bias gradient
// (CO)], out zeroed by the caller. With few taps one pass over dy does it all and the masked gradient is
// never written; otherwise it is formed once and handed to the im2col path.
template <typename T>
void conv2dBackpropFilterBiasImpl(const T* x, const T* dy, const T* mask, T* out, const Geometry& g) {
  const int64_t Kk = g.FH * g.FW * g.C, rowsTotal = g.N * g.OH * g.OW;
  T* db = out + Kk * g.CO;
  if (rowsTotal == 0 || g.CO == 0) return;
  if (Kk > 0 && Kk <= kDirectTaps) return conv2dFilterDirect(x, dy, mask, out, db, g);
  std::vector<T> masked;
  const T* dz = dy;
  if (mask != nullptr) {
    masked.resize((size_t)(rowsTotal * g.CO));
    T* m = masked.data();
    parallelRanges(rowsTotal * g.CO, rowsTotal * g.CO >= kEwParallel, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; i++) m[i] = mask[i] > T(0) ? dy[i] : T(0);
    });
    dz = m;
  }
  if (Kk > 0) conv2dBackpropFilterImpl(x, dz, out, g);
  for (int64_t r = 0; r < rowsTotal; r++)
    for (int64_t co = 0; co < g.CO; co++) db[co] += dz[r * g.CO + co];
}

// conv2dBackpropFilterBias(x, dy, mask | null, out, geometry)
Napi::Value Conv2dBackpropFilterBias(const Napi::CallbackInfo& info) {
  const Array x = array(info, 0), dy = array(info, 1);
  const bool hasMask = info[2].IsTypedArray();
  const void* mask = hasMask ? array(info, 2).data : nullptr;
  const Array out = array(info, 3);
  const Geometry g = geometry(array(info, 4));
  forFloat(x, [&](auto t) {
    using T = decltype(t);
    conv2dBackpropFilterBiasImpl(data<const T>(x), data<const T>(dy), static_cast<const T*>(mask), data<T>(out), g);
  });
  return info.Env().Undefined();
}

// maxPool(x, y, argmax, geometry)
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  const Array x = array(info, 0), y = array(info, 1), am = array(info, 2);
  const Geometry g = geometry(array(info, 3));
  int32_t* argmax = static_cast<int32_t*>(am.data);
  forFloat(x, [&](auto t) {
    using T = decltype(t);
    maxPoolImpl(data<const T>(x), data<T>(y), argmax, g);
  });
  return info.Env().Undefined();
}

// ---- convolution followed by max pooling, fused ---------------------------------------------------------
//
// conv2d + bias + activation, then max pooling (geometry `pg` over the convolution's output), without
// writing the convolution's output: a pooled row needs only the few convolution rows under its windows,
// which are computed into a buffer that stays in cache and pooled from there. Each winner is recorded as
// its flat index into the convolution's output (never materialised), as maxPool's argmax would be.

// The convolution rows [lo, hi) under pooled row qh (clamped to the image; empty for a window wholly
// in the padding).
inline void convRowsUnder(const Geometry& pg, int64_t qh, int64_t& lo, int64_t& hi) {
  const int64_t top = qh * pg.SH - pg.padTop;
  lo = std::max<int64_t>(0, top);
  hi = std::min<int64_t>(pg.H, top + (pg.FH - 1) * pg.DH + 1);
}

template <typename T>
void conv2dMaxPoolImpl(const T* x, const T* f, const T* bias, int act, T* y, int32_t* argmax, const Geometry& g,
                       const Geometry& pg) {
  const int64_t Kk = g.FH * g.FW * g.C, C = g.CO, rows = pg.N * pg.OH;
  if (rows == 0 || pg.OW == 0 || C == 0) return;
  const PaddedFilter<T> fp(f, bias, g);
  const ConvForwardFn<T> kernel = directForward<T>();
  MaxPoolBandFn<T> pool;
  if constexpr (sizeof(T) == 4) pool = CK->maxpoolBand_f32;
  else pool = CK->maxpoolBand_f64;
  const double work = (double)rows * pg.FH * g.OW * C * std::max<int64_t>(1, Kk);
  parallelRanges(rows, work >= kEwParallel, [&](int64_t s, int64_t e) {
    std::vector<T> taps((size_t)(4 * std::max<int64_t>(1, Kk)));
    std::vector<T> band((size_t)(((pg.FH - 1) * pg.DH + 1) * g.OW * C));
    for (int64_t row = s; row < e; row++) {
      const int64_t n = row / pg.OH, qh = row % pg.OH;
      int64_t lo, hi;
      convRowsUnder(pg, qh, lo, hi);
      T* out = y + row * pg.OW * C;
      int32_t* arg = argmax + row * pg.OW * C;
      if (lo < hi) {
        const int64_t p0 = (n * g.OH + lo) * g.OW;
        if (Kk > 0) kernel(x, fp.filter.data(), fp.COp, fp.biasOrNull(), act, band.data(), g, p0, p0 + (hi - lo) * g.OW, taps.data());
        else
          for (int64_t i = 0; i < (hi - lo) * g.OW; i++)
            for (int64_t c = 0; c < C; c++) {
              const T v = bias != nullptr ? bias[c] : T(0);
              band[(size_t)(i * C + c)] = act == ACT_RELU && v <= T(0) ? T(0) : v;
            }
      }
      pool(band.data(), lo, hi, qh * pg.SH - pg.padTop, (n * g.OH + lo) * g.OW * C, out, arg, pg, g.OW, C);
    }
  });
}

// The filter and bias gradients of conv2dMaxPool from the pooled gradient dP: per pooled row, the
// gradient of the convolution rows under it is rebuilt in a small buffer (dP routed to each winner, where
// the pooled output `mask` > 0 when the activation is relu) and fed to the direct filter kernel. Rows
// shared by overlapping windows are visited once per pooled row, each time with that row's winners only:
// the gradient is linear in dP, so the parts add up to the whole. out = [filter gradient, bias gradient].
template <typename T>
void conv2dMaxPoolFilterBiasImpl(const T* x, const T* dP, const T* mask, const int32_t* argmax, T* out,
                                 const Geometry& g, const Geometry& pg) {
  const int64_t Kk = g.FH * g.FW * g.C, C = g.CO, rows = pg.N * pg.OH, COp = paddedWidth<T>(C);
  const int64_t accRows = Kk + 1;  // the filter's taps, then the bias
  std::fill(out, out + Kk * C + C, T(0));
  if (rows == 0 || pg.OW == 0 || C == 0) return;
  const ConvFilterFn<T> kernel = directFilter<T>();
  RouteBandFn<T> route;
  if constexpr (sizeof(T) == 4) route = CK->routeBand_f32;
  else route = CK->routeBand_f64;
  const int64_t bandRows = (pg.FH - 1) * pg.DH + 1;
  const double work = (double)rows * bandRows * g.OW * C * std::max<int64_t>(1, Kk);
  const int64_t parts = work >= kEwParallel ? std::min<int64_t>(pool().size(), rows) : 1;
  std::vector<T> partial((size_t)(parts * accRows * COp), T(0));
  auto one = [&](int64_t t) {
    std::vector<T> taps((size_t)std::max<int64_t>(1, Kk));
    std::vector<T> band((size_t)(bandRows * g.OW * C));
    T* acc = partial.data() + t * accRows * COp;
    for (int64_t row = rows * t / parts; row < rows * (t + 1) / parts; row++) {
      const int64_t n = row / pg.OH, qh = row % pg.OH;
      int64_t lo, hi;
      convRowsUnder(pg, qh, lo, hi);
      if (lo >= hi) continue;
      const int64_t cells = (hi - lo) * g.OW * C, base = (n * g.OH + lo) * g.OW * C;
      std::fill(band.begin(), band.begin() + cells, T(0));
      const int64_t q0 = row * pg.OW * C;
      route(dP + q0, mask != nullptr ? mask + q0 : nullptr, argmax + q0, band.data(), lo, hi, qh * pg.SH - pg.padTop,
            base, pg, g.OW, C);
      const int64_t p0 = (n * g.OH + lo) * g.OW;
      if (Kk > 0) kernel(x, band.data(), nullptr, acc, COp, g, p0, p0 + (hi - lo) * g.OW, taps.data());
      else
        for (int64_t i = 0; i < cells; i++) acc[(i % C)] += band[(size_t)i];
    }
  };
  if (parts > 1) pool().run(parts, one);
  else one(0);
  for (int64_t t = 0; t < accRows; t++) {
    T* dst = out + t * C;
    for (int64_t co = 0; co < C; co++) {
      T sum = T(0);
      for (int64_t part = 0; part < parts; part++) sum += partial[(size_t)((part * accRows + t) * COp + co)];
      dst[co] = sum;
    }
  }
}

// conv2dMaxPool(x, filter, bias | null, activation, y, argmax, convGeometry, poolGeometry)
Napi::Value Conv2dMaxPool(const Napi::CallbackInfo& info) {
  const Array x = array(info, 0), f = array(info, 1);
  const void* bias = info[2].IsTypedArray() ? array(info, 2).data : nullptr;
  const int act = (int)num(info, 3);
  const Array y = array(info, 4), am = array(info, 5);
  const Geometry g = geometry(array(info, 6)), pg = geometry(array(info, 7));
  forFloat(x, [&](auto t) {
    using T = decltype(t);
    conv2dMaxPoolImpl(data<const T>(x), data<const T>(f), static_cast<const T*>(bias), act, data<T>(y),
                      static_cast<int32_t*>(am.data), g, pg);
  });
  return info.Env().Undefined();
}

// conv2dMaxPoolBackpropFilterBias(x, dPooled, pooledOutput | null, argmax, out, convGeometry, poolGeometry)
Napi::Value Conv2dMaxPoolBackpropFilterBias(const Napi::CallbackInfo& info) {
  const Array x = array(info, 0), dP = array(info, 1);
  const void* mask = info[2].IsTypedArray() ? array(info, 2).data : nullptr;
  const Array am = array(info, 3), out = array(info, 4);
  const Geometry g = geometry(array(info, 5)), pg = geometry(array(info, 6));
  forFloat(x, [&](auto t) {
    using T = decltype(t);
    conv2dMaxPoolFilterBiasImpl(data<const T>(x), data<const T>(dP), static_cast<const T*>(mask),
                                static_cast<const int32_t*>(am.data), data<T>(out), g, pg);
  });
  return info.Env().Undefined();
}

// avgPool(x, y, geometry)
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  const Array x = array(info, 0), y = array(info, 1);
  const Geometry g = geometry(array(info, 2));
  forFloat(x, [&](auto t) {
    using T = decltype(t);
    avgPoolImpl(data<const T>(x), data<T>(y), g);
  });
  return info.Env().Undefined();
}

// scatterAdd(updates, updatesOffset, indices, out, outer, count, size, inner): out ([outer, size, inner],
// written whole here: the caller need not zero it) = 0, then out[o, indices[i], :] += updates[o, i, :]
// for updates [outer, count, inner] starting at updatesOffset. Indices are checked by the op (kernel-made
// ones may be -1, "nowhere", and are skipped). Rows can collide, so threads never share output rows:
// with several `o` each thread takes whole `o`s; with one (the max-pool gradient) each thread owns a band
// of rows, zeroes it and applies the updates that land in it, scanning all indices. Every output element
// sums its updates in index order either way, so the result does not depend on the thread count.
template <typename T>
void scatterAddImpl(const T* u, const int32_t* idx, T* out, int64_t outer, int64_t count, int64_t size,
                    int64_t inner) {
  auto band = [&](int64_t o, int64_t lo, int64_t hi) {
    const T* src = u + o * count * inner;
    T* dst = out + o * size * inner;
    std::memset(dst + lo * inner, 0, sizeof(T) * (size_t)((hi - lo) * inner));
    for (int64_t i = 0; i < count; i++) {
      const int64_t k = idx[i];
      if (k < lo || k >= hi) continue;
      T* d = dst + k * inner;
      const T* r = src + i * inner;
      for (int64_t j = 0; j < inner; j++) d[j] += r[j];
    }
  };
  const bool big = outer * (count + size) * inner >= kEwParallel;
  if (outer > 1) {
    parallelRanges(outer, big, [&](int64_t s, int64_t e) {
      for (int64_t o = s; o < e; o++) band(o, 0, size);
    });
    return;
  }
  parallelRanges(size, big && size > 1, [&](int64_t lo, int64_t hi) { band(0, lo, hi); });
}

Napi::Value ScatterAdd(const Napi::CallbackInfo& info) {
  const Array u = array(info, 0);
  const int64_t off = (int64_t)num(info, 1);
  const Array idx = array(info, 2), out = array(info, 3);
  const int64_t outer = (int64_t)num(info, 4), count = (int64_t)num(info, 5), size = (int64_t)num(info, 6),
                inner = (int64_t)num(info, 7);
  const int32_t* ip = static_cast<const int32_t*>(idx.data);
  forFloat(u, [&](auto t) {
    using T = decltype(t);
    scatterAddImpl(data<const T>(u) + off, ip, data<T>(out), outer, count, size, inner);
  });
  return info.Env().Undefined();
}

// Training allocates and frees the same multi-megabyte tensors every step. glibc's defaults serve blocks
// above its (adaptive) mmap threshold with fresh mmaps and give freed memory at the heap's top back to the
// OS, so each step page-faults its activations in again: ~1 ms per 5 MB output here, more than the
// kernels that fill them. Serving blocks up to 64 MiB from the heap and keeping up to 32 MiB of freed
// memory at its top lets the next step reuse the same pages. (512 MiB kept more: the heap then only
// ever grew, ratcheting RSS up by fragmentation over a long run; 32 MiB covers a step's churn between
// collections.) TAPEFLOW_MALLOC_TUNING=0 leaves glibc's settings alone.
void tuneMalloc() {
#if defined(__GLIBC__)
  const char* env = std::getenv("TAPEFLOW_MALLOC_TUNING");
  if (env != nullptr && std::strcmp(env, "0") == 0) return;
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
#endif
}

// The runtime's helper threads (V8's concurrent garbage collector and optimizing compiler, libuv's pool)
// share the cores with the pool's workers. On a machine with few cores the scheduler then often runs a
// helper in the middle of a parallel kernel, and the kernel waits for its slowest share: with two cores,
// the MLP's GEMMs ran at one thread's speed in the training loop. TAPEFLOW_HELPER_NICE=n (1-19) lowers
// the helpers' priority to nice n when the addon loads, so they run between kernels instead (MLP step
// 1.44 -> 1.15 ms at nice 10), at a price in memory: the garbage collector then finishes later and the
// MLP epoch's peak RSS grows by ~30 MB, the CNN's by ~120 MB, so it is off by default. Linux only;
// skipped when the addon is loaded from a worker thread (the other threads may then include the
// application's main thread). Threads created later (libuv starts its pool on first use) are left alone;
// errors are ignored.
void lowerHelperThreadPriority() {
#if defined(__linux__)
  int nice = 0;
  if (const char* env = std::getenv("TAPEFLOW_HELPER_NICE")) nice = std::atoi(env);
  if (nice <= 0 || nice > 19) return;
  const pid_t self = (pid_t)syscall(SYS_gettid);
  if (self != getpid()) return;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return;
  while (const dirent* entry = readdir(dir)) {
    const pid_t tid = (pid_t)std::atoi(entry->d_name);
    if (tid <= 0 || tid == self) continue;
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, (id_t)tid);
    if (errno == 0 && current < nice) setpriority(PRIO_PROCESS, (id_t)tid, nice);
  }
  closedir(dir);
#endif
}

// adam(src, dst, g, m, v, b1, b2, c1, c2, stepSize, rootInv, eps): the float32 Adam step of
// src/optimizers/rules/adam-simd.ts, zero-copy on the optimizer's own arrays (the WebAssembly kernel has
// to copy them in and out of its memory), in the ISA's widest vectors with the same bits (kernels_impl.h).
Napi::Value Adam(const Napi::CallbackInfo& info) {
  const Array src = array(info, 0), dst = array(info, 1), g = array(info, 2), m = array(info, 3),
              v = array(info, 4);
  const AdamArgs args{data<const float>(src), data<float>(dst), data<const float>(g), data<float>(m),
                      data<float>(v), (float)num(info, 5), (float)num(info, 6), (float)num(info, 7),
                      (float)num(info, 8), (float)num(info, 9), (float)num(info, 10), (float)num(info, 11)};
  const int64_t n = (int64_t)dst.length;
  // In chunks the threads take one at a time: in a training loop the second thread often joins late
  // (the runtime's helper threads hold its core), and a split in halves then took 35-40 us for the
  // MLP's 100k weights against 20 us on one thread.
  constexpr int64_t kAdamGrain = 1 << 14;
  parallelChunks(n, kAdamGrain, n >= 2 * kAdamGrain, [&](int64_t s, int64_t e) { K->adam_f32(args, s, e); });
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static std::once_flag once;
  std::call_once(once, [] {
    tuneMalloc();
    lowerHelperThreadPriority();
    K = selectKernels(std::getenv("TAPEFLOW_NATIVE_ISA"));
    CK = convKernelsFor(K);
  });
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2dBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2dBackpropFilter));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("conv2dMaxPool", Napi::Function::New(env, Conv2dMaxPool));
  exports.Set("conv2dMaxPoolBackpropFilterBias", Napi::Function::New(env, Conv2dMaxPoolBackpropFilterBias));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("scatterAdd", Napi::Function::New(env, ScatterAdd));
  exports.Set("conv2dBackpropFilterBias", Napi::Function::New(env, Conv2dBackpropFilterBias));
  exports.Set("adam", Napi::Function::New(env, Adam));
  registerSoftmax(env, exports, K);
  return exports;
}

}  // namespace
}  // namespace tapeflow

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return tapeflow::Init(env, exports); }

NODE_API_MODULE(tapeflow_native, InitModule)
