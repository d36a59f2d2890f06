/* Adam's step over the flat parameters, fused with the L2 penalty.
 *
 * One pass does what the NumPy engine does in three (Network._add_penalty's
 * gradient and sum of squares, then Adam.step): for the weights,
 * g = grad + decay * params, and the sum of their squares is returned for the
 * loss; then m = b1 m + c1 g, v = b2 v + c2 g^2 and
 * params -= (m / (sqrt(v) + eps)) * step. Reading each array once instead of
 * three times matters: a default network's parameters (1,703 for wine, 3,201
 * for breast_cancer, in four arrays) do not fit in the L1 cache.
 *
 * Adam is bound by the divider: sqrt and division take about 4 cycles a
 * number whatever the vector width. On CPUs with AVX-512, sqrt(v) and the
 * quotient come from the hardware's 14-bit estimates (rsqrt14, rcp14), each
 * refined by Newton's iterations and a final correction with fused
 * multiply-adds, which gives the correctly rounded result but for an
 * occasional last bit (tests/test_adam_step.py holds the two versions within
 * an ulp). Where the estimates would not hold (zeros, subnormals, overflows,
 * NaN), the lanes take the exact instructions. m and v are computed alike in
 * both versions, without fused multiply-adds. Elsewhere the loop is the exact
 * one, in NumPy's order.
 */
#include <math.h>
#include <stddef.h>

#include "_cpu.h"

/* The exact step of parameters [start, stop), with the decay when penalise. */
#define ADAM_EXACT_LOOP(T, SQRT)                                               \
    for (Py_ssize_t k = start; k < stop; k++) {                                \
        T g = grad[k];                                                         \
        if (penalise) {                                                        \
            g = g + params[k] * decay;                                         \
            *total += (double)params[k] * (double)params[k];                   \
        }                                                                      \
        m[k] = m[k] * b1 + g * c1;                                             \
        T s = g * g;                                                           \
        v[k] = v[k] * b2 + s * c2;                                             \
        s = SQRT(v[k]) + eps;                                                  \
        params[k] = params[k] - (m[k] / s) * step;                             \
    }

static void _adam_exact_d(double *params, const double *grad, double *m, double *v,
                          Py_ssize_t start, Py_ssize_t stop, int penalise,
                          double decay, double b1, double b2, double c1, double c2,
                          double eps, double step, double *total)
{
    ADAM_EXACT_LOOP(double, sqrt)
}

static void _adam_exact_f(float *params, const float *grad, float *m, float *v,
                          Py_ssize_t start, Py_ssize_t stop, int penalise,
                          float decay, float b1, float b2, float c1, float c2,
                          float eps, float step, double *total)
{
    ADAM_EXACT_LOOP(float, sqrtf)
}

#ifdef HAVE_AVX512_LOOPS
/* Eight parameters [k, k + 8) at a time; returns the index where it stopped
 * (the rest, fewer than eight, is left to the exact loop). */
AVX512_LOOP static Py_ssize_t
_adam_avx512_d(double *params, const double *grad, double *m, double *v,
               Py_ssize_t start, Py_ssize_t stop, int penalise, double decay,
               double b1, double b2, double c1, double c2, double eps,
               double step, double *total)
{
    const __m512d B1 = _mm512_set1_pd(b1), B2 = _mm512_set1_pd(b2);
    const __m512d C1 = _mm512_set1_pd(c1), C2 = _mm512_set1_pd(c2);
    const __m512d E = _mm512_set1_pd(eps), S = _mm512_set1_pd(step);
    const __m512d D = _mm512_set1_pd(decay), HALF = _mm512_set1_pd(0.5);
    const __m512d THREE_HALVES = _mm512_set1_pd(1.5), TWO = _mm512_set1_pd(2.0);
    /* The estimates are used between these bounds only (their squares and
     * reciprocals stay normal numbers); outside, and where the quotient is
     * not finite (an overflow, a NaN), the exact instructions. */
    const __m512d LO = _mm512_set1_pd(0x1p-1000), HI = _mm512_set1_pd(0x1p1000);
    const __m512d MAX = _mm512_set1_pd(1.7976931348623157e308);
    __m512d sums = _mm512_setzero_pd();
    Py_ssize_t k = start;
    for (; k + 8 <= stop; k += 8) {
        __m512d p = _mm512_loadu_pd(params + k);
        __m512d g = _mm512_loadu_pd(grad + k);
        if (penalise) {
            g = _mm512_add_pd(g, _mm512_mul_pd(p, D));
            sums = _mm512_add_pd(sums, _mm512_mul_pd(p, p));
        }
        __m512d mk = _mm512_add_pd(_mm512_mul_pd(_mm512_loadu_pd(m + k), B1),
                                   _mm512_mul_pd(g, C1));
        __m512d vk = _mm512_add_pd(_mm512_mul_pd(_mm512_loadu_pd(v + k), B2),
                                   _mm512_mul_pd(_mm512_mul_pd(g, g), C2));
        _mm512_storeu_pd(m + k, mk);
        _mm512_storeu_pd(v + k, vk);

        /* sqrt(v): y ~ 1/sqrt(v) to 14 bits, two Newton steps (56 bits),
         * then s = v y corrected by y/2 (v - s^2), its residual exact. */
        __m512d y = _mm512_rsqrt14_pd(vk);
        __m512d half_v = _mm512_mul_pd(vk, HALF);
        y = _mm512_mul_pd(y, _mm512_fnmadd_pd(half_v, _mm512_mul_pd(y, y), THREE_HALVES));
        y = _mm512_mul_pd(y, _mm512_fnmadd_pd(half_v, _mm512_mul_pd(y, y), THREE_HALVES));
        __m512d s = _mm512_mul_pd(vk, y);
        s = _mm512_fmadd_pd(_mm512_mul_pd(HALF, y), _mm512_fnmadd_pd(s, s, vk), s);
        __mmask8 odd = _mm512_cmp_pd_mask(vk, LO, _CMP_NGE_UQ)
                     | _mm512_cmp_pd_mask(vk, HI, _CMP_NLE_UQ);
        if (odd)
            s = _mm512_mask_sqrt_pd(s, odd, vk);
        s = _mm512_add_pd(s, E);

        /* m / s: r ~ 1/s to 14 bits, two Newton steps, then q = m r
         * corrected by r (m - q s). */
        __m512d r = _mm512_rcp14_pd(s);
        r = _mm512_mul_pd(r, _mm512_fnmadd_pd(s, r, TWO));
        r = _mm512_mul_pd(r, _mm512_fnmadd_pd(s, r, TWO));
        __m512d q = _mm512_mul_pd(mk, r);
        q = _mm512_fmadd_pd(r, _mm512_fnmadd_pd(q, s, mk), q);
        odd = _mm512_cmp_pd_mask(s, LO, _CMP_NGE_UQ)
            | _mm512_cmp_pd_mask(s, HI, _CMP_NLE_UQ)
            | _mm512_cmp_pd_mask(_mm512_abs_pd(q), MAX, _CMP_NLE_UQ);
        if (odd)
            q = _mm512_mask_div_pd(q, odd, mk, s);
        _mm512_storeu_pd(params + k, _mm512_sub_pd(p, _mm512_mul_pd(q, S)));
    }
    if (penalise)
        *total += _mm512_reduce_add_pd(sums);
    return k;
}

#endif

/* The step over all n parameters, the first n_coefs of them (the weights)
 * decayed when penalise; returns the weights' sum of squares before the
 * step (0 unless penalise). exact: the exact loop on every CPU (tests). */
static double adam_step_d(double *params, const double *grad, double *m, double *v,
                          Py_ssize_t n, Py_ssize_t n_coefs, int penalise,
                          double decay, double b1, double b2, double c1,
                          double c2, double eps, double step, int exact)
{
    double total = 0;
    /* Where the exact loop takes over, in the weights and in the biases:
     * after the AVX-512 loop's last whole vector of eight, or at the start. */
    Py_ssize_t weights_from = 0, biases_from = n_coefs;
#ifdef HAVE_AVX512_LOOPS
    if (!exact && has_avx512()) {
        weights_from = _adam_avx512_d(params, grad, m, v, 0, n_coefs, penalise,
                                      decay, b1, b2, c1, c2, eps, step, &total);
        biases_from = _adam_avx512_d(params, grad, m, v, n_coefs, n, 0, decay,
                                     b1, b2, c1, c2, eps, step, &total);
    }
#endif
    _adam_exact_d(params, grad, m, v, weights_from, n_coefs, penalise, decay, b1,
                  b2, c1, c2, eps, step, &total);
    _adam_exact_d(params, grad, m, v, biases_from, n, 0, decay, b1, b2, c1, c2,
                  eps, step, &total);
    return total;
}

static double adam_step_f(float *params, const float *grad, float *m, float *v,
                          Py_ssize_t n, Py_ssize_t n_coefs, int penalise,
                          float decay, float b1, float b2, float c1, float c2,
                          float eps, float step)
{
    double total = 0;
    _adam_exact_f(params, grad, m, v, 0, n_coefs, penalise, decay, b1, b2, c1,
                  c2, eps, step, &total);
    _adam_exact_f(params, grad, m, v, n_coefs, n, 0, decay, b1, b2, c1, c2, eps,
                  step, &total);
    return total;
}
