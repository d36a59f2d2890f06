/* Element-wise loops of the backward pass over a whole block of rows.
 *
 * A hidden layer's block is (rows x units) numbers, contiguous: the logistic
 * unit's derivative and a layer's bias gradient (the sum of its rows) run
 * over it in one call each, compiled, like exp (_exp.h), for AVX-512, AVX2
 * and the baseline, the CPU's best picked at load time (GCC on x86-64
 * Linux). No multiply-add here could be fused: every version rounds alike.
 */
#include <stddef.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define BLOCK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define BLOCK_CLONES
#endif

/* delta *= (1 - a) * a: the logistic unit's derivative from its output a. */
BLOCK_CLONES static void logistic_derivative_d(const double *a, double *delta, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        delta[i] = delta[i] * ((1 - a[i]) * a[i]);
}

BLOCK_CLONES static void logistic_derivative_f(const float *a, float *delta, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        delta[i] = delta[i] * ((1 - a[i]) * a[i]);
}

/* out[j] = sum over the rows r of block[r, j], rows added in order. */
#define COLUMN_SUMS                                                            \
    for (Py_ssize_t j = 0; j < n; j++)                                         \
        out[j] = 0;                                                            \
    for (Py_ssize_t r = 0; r < n_rows; r++)                                    \
        for (Py_ssize_t j = 0; j < n; j++)                                     \
            out[j] = out[j] + block[r * n + j];

BLOCK_CLONES static void column_sums_d(const double *block, Py_ssize_t n_rows,
                                       Py_ssize_t n, double *out)
{
    COLUMN_SUMS
}

BLOCK_CLONES static void column_sums_f(const float *block, Py_ssize_t n_rows,
                                       Py_ssize_t n, float *out)
{
    COLUMN_SUMS
}
