/* Each epoch's order of rows, drawn inside the kernel exactly as NumPy's
 * RandomState.permutation(n) draws it: arange(n) shuffled by Fisher and
 * Yates from the last row down, row i swapped with a row j drawn uniformly
 * from [0, i] by NumPy's legacy random_interval (the smallest all-ones mask
 * covering i, draws rejected until one is at most i; 32-bit draws while i
 * fits in 32 bits). The draws come from the RandomState's own bit generator,
 * so the generator moves exactly as the NumPy loop moves it: one permutation
 * for each epoch run, none for an epoch a plateau or a divergence skipped.
 * tests/test_compiled.py compares the orders with RandomState.permutation.
 */
#include <stdint.h>

/* NumPy's bitgen_t (numpy/random/bitgen.h), the C API every BitGenerator
 * exposes through its "BitGenerator" capsule. */
typedef struct bitgen {
    void *state;
    uint64_t (*next_uint64)(void *st);
    uint32_t (*next_uint32)(void *st);
    double (*next_double)(void *st);
    uint64_t (*next_raw)(void *st);
} bitgen_t;

static uint64_t _random_interval(bitgen_t *bitgen, uint64_t max)
{
    uint64_t mask = max, value;
    if (max == 0)
        return 0;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    if (max <= 0xffffffffUL) {
        while ((value = (bitgen->next_uint32(bitgen->state) & mask)) > max)
            ;
    } else {
        while ((value = (bitgen->next_uint64(bitgen->state) & mask)) > max)
            ;
    }
    return value;
}

static void draw_permutation(bitgen_t *bitgen, Py_ssize_t *order, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        order[i] = i;
    for (Py_ssize_t i = n - 1; i >= 1; i--) {
        Py_ssize_t j = (Py_ssize_t)_random_interval(bitgen, (uint64_t)i);
        Py_ssize_t row = order[j];
        order[j] = order[i];
        order[i] = row;
    }
}
