// Threads that never hurt: on a machine that other processes are using, ag runs on fewer threads.
//
// ag's parallel work is fork-join: a matrix product or a loop is cut into one piece per thread, and
// the product is done when the last piece is. With another busy process on the machine, the
// scheduler takes turns between it and ag's threads, so some piece always waits for its thread's
// next turn (milliseconds), and a training step holds hundreds of such joins. Measured on 2 cores
// with compiler jobs running: a GPT step took 166 ms on one thread and 1,470-3,770 ms on two.
//
// So before parallel work ag looks, at most every kSampleSeconds, at how much of the cores it may
// use the rest of the machine used since the last look (/proc/stat, minus this process's own CPU
// time), and uses the cores left over: never more threads than set_num_threads() asked for, never
// fewer than one. Results do not change: every kernel cuts its work the same way whatever the
// thread count (tests/core/test_adaptive_threads.cpp checks a training step bit for bit).
//
// On by default; ag::set_adaptive_threads(false), or AG_ADAPTIVE_THREADS=0, keeps the thread count
// fixed (to time a kernel at an exact thread count, say). Where /proc/stat cannot be read, the
// count stays fixed.
#pragma once

namespace ag {

void set_adaptive_threads(bool on);
bool adaptive_threads();

// Called on the thread that is about to start parallel work (kernels::gemm calls it): every
// kSampleSeconds it measures the machine and sets the thread count of OpenBLAS and OpenMP for this
// thread. Cheap between samples (a clock read); does nothing inside a parallel region.
void adapt_threads();

// The thread count adapt_threads() chose last (set_num_threads()'s until the first sample).
int threads_in_use();

namespace detail {

inline constexpr double kSampleSeconds = 0.2;

// The rule itself: the threads to run when `others` cores' worth of CPU time went to other
// processes, out of `cores` this process may use, and `requested` threads were asked for. A
// competitor using a quarter of a core or more already costs a thread: a thread that has to share
// its core makes every join wait for it.
int threads_for_load(int requested, int cores, double others);

}  // namespace detail

}  // namespace ag
