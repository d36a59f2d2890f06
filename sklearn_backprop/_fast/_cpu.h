/* Whether this CPU runs the kernel's AVX-512 loops.
 *
 * Those loops (Adam's step, exp and the logistic unit in float64) are
 * written with intrinsics and compiled for AVX-512 whatever the build
 * machine; each is called only when the CPU running it has AVX-512F, and a
 * portable loop runs otherwise. With compilers or targets other than GCC or
 * Clang on x86-64, only the portable loops are built.
 */
#ifndef SKLEARN_BACKPROP_CPU_H
#define SKLEARN_BACKPROP_CPU_H

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(_WIN32)
#define HAVE_AVX512_LOOPS 1
#include <immintrin.h>
#define AVX512_LOOP __attribute__((target("avx512f")))

static int has_avx512(void)
{
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f") ? 1 : 0;
    }
    return known;
}
#endif

#endif
