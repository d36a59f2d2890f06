# The whole stochastic fit of a small network, in compiled code.
#
# The same arithmetic as the NumPy engine (``_network``, ``_activations``,
# ``_losses``, ``_solvers``) and the epoch loop of ``_training``, operation for
# operation and in the same order wherever NumPy's order is known, so that the
# two agree to the last bits in float64: a small network's epoch then costs
# its arithmetic, not some thirty NumPy calls a batch. ``_fast/__init__.py``
# decides when this runs, prepares the buffers and reads the history back.
#
# Layout (as ``Network.layer_views``): ``params`` holds every layer's weights,
# row-major (fan_in, fan_out), layer after layer, then every layer's biases.
# ``acts`` and ``deltas`` hold, layer after layer, a (batch_size, units) block.

from libc.math cimport (
    INFINITY, M_PI, NAN, cos, fabs, fabsf, fmod, isfinite, log, logf, pow, sqrt,
    tanh, tanhf,
)
from libc.stdlib cimport free, malloc
from cpython.exc cimport PyErr_CheckSignals
from cpython.pycapsule cimport PyCapsule_GetPointer

from cython cimport floating

import numpy as np


cdef extern from "_exp.h" nogil:
    void exp_inplace_d(double* z, Py_ssize_t n)
    void exp_inplace_f(float* z, Py_ssize_t n)
    void logistic_inplace_d(double* z, const double* bias, Py_ssize_t n)
    void logistic_inplace_f(float* z, const float* bias, Py_ssize_t n)
cdef extern from "_block.h" nogil:
    void logistic_derivative_d(const double* a, double* delta, Py_ssize_t n)
    void logistic_derivative_f(const float* a, float* delta, Py_ssize_t n)
    void column_sums_d(const double* block, Py_ssize_t n_rows, Py_ssize_t n, double* out)
    void column_sums_f(const float* block, Py_ssize_t n_rows, Py_ssize_t n, float* out)
cdef extern from "_shuffle.h" nogil:
    ctypedef struct bitgen_t:
        pass
    void draw_permutation(bitgen_t* bitgen, Py_ssize_t* order, Py_ssize_t n)
cdef extern from "_step.h" nogil:
    double adam_step_d(
        double* params, const double* grad, double* m, double* v, Py_ssize_t n,
        Py_ssize_t n_coefs, int penalise, double decay, double b1, double b2,
        double c1, double c2, double eps, double step, int exact,
    )
    double adam_step_f(
        float* params, const float* grad, float* m, float* v, Py_ssize_t n,
        Py_ssize_t n_coefs, int penalise, float decay, float b1, float b2,
        float c1, float c2, float eps, float step,
    )
from scipy.linalg.cython_blas cimport dgemm, sgemm

# Bumped whenever the interface or the meaning of ``Trainer`` changes: a
# stale build of this module is then ignored, not called wrongly.
KERNEL_VERSION = 3

# The codes (Unit, Loss, Solver, Schedule, Status) are declared once, in
# _loop.pxd, which Python reads too.


cdef inline void _exp_inplace(floating* z, Py_ssize_t n) noexcept nogil:
    if floating is float:
        exp_inplace_f(z, n)
    else:
        exp_inplace_d(z, n)


cdef inline floating _log(floating x) noexcept nogil:
    if floating is float:
        return logf(x)
    else:
        return log(x)


cdef inline floating _tanh(floating x) noexcept nogil:
    if floating is float:
        return tanhf(x)
    else:
        return tanh(x)


cdef inline floating _fabs(floating x) noexcept nogil:
    if floating is float:
        return fabsf(x)
    else:
        return fabs(x)


cdef void _unit(
    int unit, floating* z, const floating* bias, Py_ssize_t n_rows, Py_ssize_t n,
) noexcept nogil:
    """``z = f(z + bias)`` over a block of ``n_rows`` rows of ``n`` units
    (``bias`` NULL: none); as ``_activations``: the logistic forms
    ``(-bias) - z``."""
    cdef Py_ssize_t j, r
    cdef floating v
    cdef floating* row
    if unit == SOFTMAX:
        _softmax(z, bias, n_rows, n)
        return
    for r in range(n_rows):
        row = z + r * n
        if unit == LOGISTIC:
            if floating is float:
                logistic_inplace_f(row, bias, n)
            else:
                logistic_inplace_d(row, bias, n)
            continue
        if bias != NULL:
            for j in range(n):
                row[j] = row[j] + bias[j]
        if unit == TANH:
            for j in range(n):
                row[j] = _tanh(row[j])
        elif unit == RELU:
            for j in range(n):
                v = row[j]
                # np.maximum(v, 0): NaN stays NaN.
                row[j] = v if (v > 0 or v != v) else 0
        elif unit == EXP:
            _exp_inplace(row, n)


cdef void _softmax(
    floating* z, const floating* bias, Py_ssize_t n_rows, Py_ssize_t n,
) noexcept nogil:
    """The softmax unit of each row: ``exp(z - max(z)) / sum``. exp runs over
    the whole block at once: the output layer has a few units (one per
    class), and one call per row cost more than its arithmetic (iris and
    wine: epochs 7-8% faster). A number outside exp's fast range sends the
    whole block to libm's exp, within an ulp of the fast one."""
    cdef Py_ssize_t j, r
    cdef floating top, total
    cdef floating* row
    for r in range(n_rows):
        row = z + r * n
        if bias != NULL:
            for j in range(n):
                row[j] = row[j] + bias[j]
        top = row[0]
        for j in range(1, n):
            if row[j] > top or row[j] != row[j]:
                top = row[j]
        for j in range(n):
            row[j] = row[j] - top
    _exp_inplace(z, n_rows * n)
    for r in range(n_rows):
        row = z + r * n
        total = 0
        for j in range(n):
            total = total + row[j]
        for j in range(n):
            row[j] = row[j] / total


cdef void _derivative(int unit, const floating* a, floating* delta, Py_ssize_t n) noexcept nogil:
    """``delta *= f'(z)`` from the output ``a = f(z)`` over one row (or,
    for an element-wise unit, any number of rows)."""
    cdef Py_ssize_t j
    cdef floating s
    if unit == LOGISTIC:
        if floating is float:
            logistic_derivative_f(a, delta, n)
        else:
            logistic_derivative_d(a, delta, n)
    elif unit == TANH:
        for j in range(n):
            delta[j] = delta[j] * (1 - a[j] * a[j])
    elif unit == RELU:
        for j in range(n):
            # np.sign(a) with a >= 0 (or NaN).
            s = 1 if a[j] > 0 else (0 if a[j] == 0 else (-1 if a[j] < 0 else a[j]))
            delta[j] = delta[j] * s
    elif unit == EXP:
        for j in range(n):
            delta[j] = delta[j] * a[j]
    elif unit == SOFTMAX:
        s = 0
        for j in range(n):
            s = s + delta[j] * a[j]
        for j in range(n):
            delta[j] = (delta[j] - s) * a[j]


cdef double _loss_and_delta(
    int loss, int unit, const floating* y, const floating* out, floating* delta,
    Py_ssize_t n, floating eps,
) noexcept nogil:
    """The output delta of one row (before its sample weight) and the row's
    loss, as ``_losses``."""
    cdef Py_ssize_t j
    cdef double total = 0
    cdef floating p
    for j in range(n):
        delta[j] = out[j] - y[j]
    if loss == SQUARED_ERROR:
        for j in range(n):
            total += <double>(delta[j] * delta[j])
        _derivative(unit, out, delta, n)
        return 0.5 * total
    if loss == LOG_LOSS:
        if unit == LOGISTIC:
            for j in range(n):
                p = 1 - _fabs(delta[j])
                # np.maximum(p, eps): NaN stays NaN.
                total += <double>_log(p if (p > eps or p != p) else eps)
            return -total
        p = 0
        for j in range(n):
            p = p + y[j] * out[j]
        return -<double>_log(p if (p > eps or p != p) else eps)
    # POISSON: y * log(y / out) - y + out, with xlogy's 0 * log(p) = 0
    # (unless p is NaN).
    for j in range(n):
        p = y[j] / out[j]
        p = y[j] * _log(p) if (y[j] != 0 or p != p) else 0
        total += <double>(p + delta[j])
    return total


cdef struct Net:
    Py_ssize_t n_layers
    Py_ssize_t* units       # n_layers + 1
    Py_ssize_t* coef_at     # offset of each layer's weights in params
    Py_ssize_t* bias_at     # offset of each layer's biases in params
    Py_ssize_t* block_at    # offset of each layer's block in acts/deltas
    Py_ssize_t n_coefs
    int hidden
    int output
    int loss
    bint fit_intercept


# A product at least this large (multiply-adds) goes to BLAS, below it to
# plain loops: a BLAS call costs about as much as this many multiply-adds.
cdef Py_ssize_t BLAS_MIN_WORK = 4096


cdef void _gemm(
    char trans_w, char trans_v, Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
    const floating* w, Py_ssize_t ld_w, const floating* v, Py_ssize_t ld_v,
    floating* out, Py_ssize_t ld_out,
) noexcept nogil:
    """Column-major ``out (m x n) = op(w) (m x k) @ op(v) (k x n)``, which is
    the row-major product ``out.T = op(v).T @ op(w).T``: the three products
    of a layer (see ``_batch``) are written in these terms."""
    cdef int im = <int>m, i_n = <int>n, ik = <int>k
    cdef int lw = <int>ld_w, lv = <int>ld_v, lo = <int>ld_out
    cdef floating one = 1, zero = 0
    cdef Py_ssize_t a, b, c
    cdef floating total
    if m * n * k >= BLAS_MIN_WORK:
        if floating is float:
            sgemm(&trans_w, &trans_v, &im, &i_n, &ik, &one, <float*>w, &lw,
                  <float*>v, &lv, &zero, out, &lo)
        else:
            dgemm(&trans_w, &trans_v, &im, &i_n, &ik, &one, <double*>w, &lw,
                  <double*>v, &lv, &zero, out, &lo)
        return
    # out[a, b] (column-major: out[a + b * ld_out]) summed over c in order.
    for b in range(n):
        for a in range(m):
            total = 0
            for c in range(k):
                total = total + (
                    (w[c + a * ld_w] if trans_w == c'T' else w[a + c * ld_w])
                    * (v[b + c * ld_v] if trans_v == c'T' else v[c + b * ld_v])
                )
            out[a + b * ld_out] = total


cdef void _forward(
    Net* net, const floating* X_batch, Py_ssize_t n_rows, const floating* params,
    floating* acts,
) noexcept nogil:
    """The forward pass of ``n_rows`` rows into the blocks of ``acts``:
    activations[i] = f(activations[i - 1] @ coefs[i] + intercepts[i])."""
    cdef Py_ssize_t i, fan_in, fan_out, last = net.n_layers - 1
    cdef const floating* inp = X_batch
    cdef floating* out
    for i in range(net.n_layers):
        fan_in, fan_out = net.units[i], net.units[i + 1]
        out = acts + net.block_at[i]
        _gemm(c'N', c'N', fan_out, n_rows, fan_in, params + net.coef_at[i], fan_out,
              inp, fan_in, out, fan_out)
        _unit(
            net.output if i == last else net.hidden, out,
            params + net.bias_at[i] if net.fit_intercept else NULL, n_rows, fan_out,
        )
        inp = out


cdef (double, double) _batch(
    Net* net, const floating* X, Py_ssize_t n_features, const floating* Y,
    const floating* sw, const Py_ssize_t* rows, Py_ssize_t first, Py_ssize_t n_rows,
    floating* params, floating* grad, floating* acts, floating* deltas,
    floating* gathered, double scale, floating eps,
) noexcept nogil:
    """``Network.loss_and_gradient`` of one batch but its L2 penalty (which
    the step adds, see ``_step``): the rows ``rows[r]`` (or ``first + r``
    when ``rows`` is NULL, read in place; shuffled rows are gathered into
    ``gathered``); returns (summed loss, weight sum)."""
    cdef Py_ssize_t L = net.n_layers, last = L - 1
    cdef Py_ssize_t r, i, j, k, row, fan_in, fan_out, n_out = net.units[L]
    cdef double weight_sum, loss = 0
    cdef floating factor, w
    cdef floating* out
    cdef floating* dlt
    cdef const floating* inp
    cdef const floating* X_batch

    if sw != NULL:
        weight_sum = 0
        for r in range(n_rows):
            row = rows[r] if rows != NULL else first + r
            weight_sum += sw[row]
        if weight_sum <= 0:
            return 0.0, 0.0
    else:
        weight_sum = n_rows
    if rows != NULL:
        for r in range(n_rows):
            for j in range(n_features):
                gathered[r * n_features + j] = X[rows[r] * n_features + j]
        X_batch = gathered
    else:
        X_batch = X + first * n_features

    _forward(net, X_batch, n_rows, params, acts)

    # The output delta and the loss, row by row.
    for r in range(n_rows):
        row = rows[r] if rows != NULL else first + r
        out = acts + net.block_at[last] + r * n_out
        dlt = deltas + net.block_at[last] + r * n_out
        if sw != NULL:
            loss += sw[row] * _loss_and_delta(
                net.loss, net.output, Y + row * n_out, out, dlt, n_out, eps
            )
            w = sw[row]
            for j in range(n_out):
                dlt[j] = dlt[j] * w
        else:
            loss += _loss_and_delta(
                net.loss, net.output, Y + row * n_out, out, dlt, n_out, eps
            )

    # The mean's 1 / weight_sum and the solver's scale, on the output delta.
    factor = <floating>(scale / weight_sum)
    if scale / weight_sum != 1.0:
        dlt = deltas + net.block_at[last]
        for k in range(n_rows * n_out):
            dlt[k] = dlt[k] * factor

    # Backward, from the output layer: each layer's gradient, then the delta
    # sent back, (delta @ coefs.T) * f'(activations[i - 1]).
    for i in range(last, -1, -1):
        fan_in, fan_out = net.units[i], net.units[i + 1]
        dlt = deltas + net.block_at[i]
        inp = acts + net.block_at[i - 1] if i > 0 else X_batch
        # coef_grads[i] = activations[i - 1].T @ deltas[i]
        _gemm(c'N', c'T', fan_out, fan_in, n_rows, dlt, fan_out, inp, fan_in,
              grad + net.coef_at[i], fan_out)
        if net.fit_intercept:
            if floating is float:
                column_sums_f(dlt, n_rows, fan_out, grad + net.bias_at[i])
            else:
                column_sums_d(dlt, n_rows, fan_out, grad + net.bias_at[i])
        if i == 0:
            break
        out = deltas + net.block_at[i - 1]
        _gemm(c'T', c'N', fan_in, n_rows, fan_out, params + net.coef_at[i], fan_out,
              dlt, fan_out, out, fan_in)
        # Hidden units are element-wise (never softmax): the block at once.
        _derivative(net.hidden, acts + net.block_at[i - 1], out, n_rows * fan_in)

    return loss, weight_sum


cdef double _sgd_part(
    floating* params, const floating* grad, floating* velocity, Py_ssize_t start,
    Py_ssize_t stop, bint penalise, floating decay, floating momentum,
    bint nesterov,
) noexcept nogil:
    """``SGD.step`` of parameters [start, stop), their gradient decayed
    when ``penalise``; returns their sum of squares before the step (0
    unless ``penalise``)."""
    cdef Py_ssize_t k
    cdef floating g
    cdef double total = 0
    for k in range(start, stop):
        g = grad[k]
        if penalise:
            g = g + params[k] * decay
            total += <double>params[k] * <double>params[k]
        if velocity == NULL:
            params[k] = params[k] - g
        elif nesterov:
            velocity[k] = velocity[k] - g
            velocity[k] = velocity[k] * momentum
            params[k] = params[k] - g
            params[k] = params[k] + velocity[k]
        else:
            velocity[k] = velocity[k] - g
            params[k] = params[k] + velocity[k]
            velocity[k] = velocity[k] * momentum
    return total


cdef struct Hyper:
    # The solver's hyperparameters and the fit's stopping rule.
    int solver              # SGD or ADAM
    int schedule            # the learning-rate schedule (all but COSINE: SGD's)
    double horizon          # COSINE: a cycle's epochs (max_iter)
    double alpha            # L2 penalty
    double learning_rate_init
    double momentum         # SGD
    bint nesterov           # SGD
    double power_t          # SGD, invscaling
    double beta_1           # Adam
    double beta_2           # Adam
    double epsilon          # Adam
    double tol
    double n_iter_no_change


cdef struct Progress:
    # What changes from epoch to epoch, read and written back by Python.
    double learning_rate
    double best_loss
    double no_improvement_count
    double samples_seen
    double adam_t           # Adam's step count
    double epoch            # COSINE: epochs run in the current cycle


cdef double _step(
    Net* net, const Hyper* hyper, floating* params, const floating* grad,
    floating* state_1, floating* state_2, Py_ssize_t n, double decay,
    double adam_t, double learning_rate,
) noexcept nogil:
    """The solver's step (``SGD.step`` or ``Adam.step``), fused with the L2
    penalty on the weights (not the biases) that ``Network.loss_and_gradient``
    adds: their gradient gains ``decay * params`` and their sum of squares is
    returned (0 when ``alpha`` is 0), all in one pass over the parameters.
    ``state_1`` is SGD's momentum times velocity (NULL without momentum) or
    Adam's first moment; ``adam_t`` already counts this step."""
    cdef bint penalise = hyper.alpha != 0
    cdef floating w = <floating>decay
    cdef floating momentum = <floating>hyper.momentum
    cdef double beta_1 = hyper.beta_1, beta_2 = hyper.beta_2, step
    if hyper.solver == SGD:
        return _sgd_part(
            params, grad, state_1, 0, net.n_coefs, penalise, w, momentum,
            hyper.nesterov,
        ) + _sgd_part(
            params, grad, state_1, net.n_coefs, n, False, w, momentum,
            hyper.nesterov,
        )
    step = learning_rate * sqrt(1 - pow(beta_2, adam_t)) / (1 - pow(beta_1, adam_t))
    if floating is float:
        return adam_step_f(
            params, grad, state_1, state_2, n, net.n_coefs, penalise, w,
            <float>beta_1, <float>beta_2, <float>(1 - beta_1), <float>(1 - beta_2),
            <float>hyper.epsilon, <float>step,
        )
    else:
        return adam_step_d(
            params, grad, state_1, state_2, n, net.n_coefs, penalise, w,
            beta_1, beta_2, 1 - beta_1, 1 - beta_2, hyper.epsilon, step, False,
        )


cdef class Trainer:
    """A small network's stochastic fit in compiled code, with named state.

    Made once per fit by ``_fast.train_stochastic``: the network's layout and
    units (``layer_units``; ``hidden``, ``output`` and ``loss`` are codes of
    the :class:`Unit` and :class:`Loss` enumerations), the batch size and the
    dtype, which fix the buffers it allocates. :meth:`use_sgd` or
    :meth:`use_adam` give it a solver (hyperparameters and the solver's own
    state vectors, updated in place), :meth:`stop_rule` the penalty and the
    plateau rule, :meth:`resume` a fit's history; :attr:`progress` reads
    the learning rate, the best loss, the plateau count, the samples seen and
    Adam's step count back. :meth:`train_epochs` runs epochs,
    :meth:`loss_and_gradient` computes one batch, as
    ``Network.loss_and_gradient``.
    """

    cdef Net net
    cdef Hyper hyper
    cdef Progress current
    cdef readonly Py_ssize_t batch_size
    cdef readonly object dtype
    cdef bint single              # float32
    cdef object acts, deltas, gathered, grad, no_weights
    cdef object state_1, state_2  # SGD's momentum x velocity / Adam's moments
    cdef bint solver_set
    cdef readonly Py_ssize_t epochs_run
    """Epochs the last call recorded (also when a Ctrl-C interrupted it)."""

    def __cinit__(self):
        self.net.units = NULL

    def __init__(
        self, layer_units, *, int hidden, int output, int loss, bint fit_intercept,
        Py_ssize_t batch_size, dtype,
    ):
        cdef Py_ssize_t i, L = len(layer_units) - 1
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"The kernel computes in float32 or float64, not {dtype}.")
        self.single = self.dtype == np.float32
        self.batch_size = batch_size
        self.net.n_layers = L
        self.net.hidden, self.net.output, self.net.loss = hidden, output, loss
        self.net.fit_intercept = fit_intercept
        self.net.units = <Py_ssize_t*>malloc(4 * (L + 1) * sizeof(Py_ssize_t))
        if self.net.units == NULL:
            raise MemoryError()
        self.net.coef_at = self.net.units + (L + 1)
        self.net.bias_at = self.net.coef_at + (L + 1)
        self.net.block_at = self.net.bias_at + (L + 1)
        for i in range(L + 1):
            self.net.units[i] = layer_units[i]
        self.net.coef_at[0] = 0
        self.net.block_at[0] = 0
        for i in range(L):
            self.net.coef_at[i + 1] = (
                self.net.coef_at[i] + self.net.units[i] * self.net.units[i + 1]
            )
            self.net.block_at[i + 1] = (
                self.net.block_at[i] + batch_size * self.net.units[i + 1]
            )
        self.net.n_coefs = self.net.coef_at[L]
        self.net.bias_at[0] = self.net.n_coefs
        for i in range(L):
            self.net.bias_at[i + 1] = self.net.bias_at[i] + self.net.units[i + 1]
        rows = sum(layer_units[1:]) * batch_size
        self.acts = np.empty(rows, self.dtype)
        self.deltas = np.empty(rows, self.dtype)
        # shuffled rows are gathered into a batch of their own
        self.gathered = np.empty(batch_size * layer_units[0], self.dtype)
        self.grad = np.zeros(self.net.bias_at[L], self.dtype)
        self.no_weights = np.ones(1, self.dtype)
        self.hyper.tol = 0
        self.hyper.n_iter_no_change = INFINITY
        self.current.best_loss = INFINITY

    def __dealloc__(self):
        free(self.net.units)

    def use_sgd(
        self, *, double learning_rate, double learning_rate_init, double momentum,
        bint nesterov, int schedule, double power_t, velocity, double horizon,
        Py_ssize_t epoch,
    ):
        """Train with ``SGD``; ``velocity`` (its momentum times velocity, None
        without momentum) is updated in place. The step: see :meth:`_set_step`."""
        self.hyper.solver = SGD
        self.hyper.momentum = momentum
        self.hyper.nesterov = nesterov
        self.hyper.power_t = power_t
        self._set_step(learning_rate, learning_rate_init, schedule, horizon, epoch)
        self.state_1 = np.empty(0, self.dtype) if velocity is None else velocity
        self.state_2 = np.empty(0, self.dtype)
        self.solver_set = True

    def use_adam(
        self, *, double learning_rate, double learning_rate_init, int schedule,
        double horizon, Py_ssize_t epoch, double beta_1, double beta_2,
        double epsilon, Py_ssize_t t, first_moment, second_moment,
    ):
        """Train with ``Adam`` from step ``t``; its moments are updated in
        place. The step (``schedule`` ``CONSTANT`` or ``COSINE``): see
        :meth:`_set_step`."""
        if schedule not in (CONSTANT, COSINE):
            raise ValueError("Adam's schedule is CONSTANT or COSINE.")
        self.hyper.solver = ADAM
        self.hyper.beta_1 = beta_1
        self.hyper.beta_2 = beta_2
        self.hyper.epsilon = epsilon
        self._set_step(learning_rate, learning_rate_init, schedule, horizon, epoch)
        self.current.adam_t = t
        self.state_1 = first_moment
        self.state_2 = second_moment
        self.solver_set = True

    cdef _set_step(
        self, double learning_rate, double learning_rate_init, int schedule,
        double horizon, Py_ssize_t epoch,
    ):
        """The step size: the current ``learning_rate``, and the ``schedule``
        that changes it from ``learning_rate_init`` between epochs (``COSINE``:
        over cycles of ``horizon`` epochs, ``epoch`` of them run)."""
        self.hyper.learning_rate_init = learning_rate_init
        self.hyper.schedule = schedule
        self.hyper.horizon = horizon
        self.current.learning_rate = learning_rate
        self.current.epoch = epoch

    def stop_rule(self, *, double alpha, double tol, double n_iter_no_change):
        """The L2 penalty ``alpha`` and the plateau: ``n_iter_no_change``
        epochs in a row without the training loss falling by ``tol``."""
        self.hyper.alpha = alpha
        self.hyper.tol = tol
        self.hyper.n_iter_no_change = n_iter_no_change

    @property
    def learning_rate(self):
        """The solver's current learning rate."""
        return self.current.learning_rate

    @learning_rate.setter
    def learning_rate(self, double value):
        self.current.learning_rate = value

    @property
    def epoch(self):
        """The epochs run in the ``COSINE`` schedule's current cycle."""
        return int(self.current.epoch)

    @epoch.setter
    def epoch(self, Py_ssize_t value):
        self.current.epoch = value

    def resume(
        self, *, double best_loss, Py_ssize_t no_improvement_count,
        Py_ssize_t samples_seen,
    ):
        """Continue a fit's history: the best training loss (the plateau's
        reference), the epochs in a row without improvement by ``tol`` and
        the samples seen (the ``invscaling`` schedule's ``t``)."""
        self.current.best_loss = best_loss
        self.current.no_improvement_count = no_improvement_count
        self.current.samples_seen = samples_seen

    @property
    def progress(self):
        """The progress as a dict: ``learning_rate``, ``best_loss``,
        ``no_improvement_count``, ``samples_seen``, ``adam_t`` (Adam's step
        count), ``epoch`` (the cosine cycle's epochs)."""
        return {
            "learning_rate": self.current.learning_rate,
            "best_loss": self.current.best_loss,
            "no_improvement_count": int(self.current.no_improvement_count),
            "samples_seen": int(self.current.samples_seen),
            "adam_t": int(self.current.adam_t),
            "epoch": int(self.current.epoch),
        }

    def train_epochs(
        self, X, Y, sample_weight, params, bit_generator, double[::1] loss_curve,
    ):
        """Run up to ``len(loss_curve)`` epochs over ``X``, ``Y`` (C-contiguous,
        of the trainer's dtype; ``sample_weight`` None or a vector), updating
        ``params`` in place and recording each epoch's loss in
        ``loss_curve``; after each, the schedule, the divergence check and the
        plateau count. Return ``(epochs run, Status)``.

        ``bit_generator``: the ``random_state``'s, to draw each epoch's order
        of rows as ``permutation`` would, under its lock; None: the rows in
        order. A Ctrl-C raises its KeyboardInterrupt within milliseconds,
        with the progress and :attr:`epochs_run` of the epochs done.
        """
        return self._run(X, Y, sample_weight, params, bit_generator, loss_curve, True)

    def run_epoch(self, X, Y, sample_weight, params, bit_generator):
        """One epoch, as :meth:`train_epochs` but without what follows an
        epoch (the caller does that, e.g. ``_training`` with a validation set
        or listeners); return its loss."""
        loss_curve = np.empty(1, np.float64)
        self._run(X, Y, sample_weight, params, bit_generator, loss_curve, False)
        return float(loss_curve[0])

    def _run(
        self, X, Y, sample_weight, params, bit_generator, double[::1] loss_curve,
        bint end_epochs,
    ):
        if not self.solver_set:
            raise ValueError("Call use_sgd or use_adam first.")
        weights = self.no_weights if sample_weight is None else sample_weight
        order = np.empty(X.shape[0] if bit_generator is not None else 0, np.intp)
        self.epochs_run = 0
        if self.single:
            return _train_epochs[float](
                self, X, Y, weights, sample_weight is not None, params, order,
                bit_generator, loss_curve, end_epochs,
            )
        return _train_epochs[double](
            self, X, Y, weights, sample_weight is not None, params, order,
            bit_generator, loss_curve, end_epochs,
        )

    def evaluate(self, X, Y, sample_weight, params, int score):
        """Score a validation set (C-contiguous, of the trainer's dtype) as
        ``_training`` does after an epoch: return ``(loss, score)``, the
        weighted mean loss without the penalty (0 when the weights sum to
        0) and, for ``score`` ``ACCURACY`` or ``R2`` (of :class:`Score`),
        the accuracy (argmax with a softmax output, each output above 0.5
        otherwise) or R^2 (averaged over outputs, as ``r2_score``), NaN
        when an output is not finite (``LOSS_ONLY``: NaN)."""
        weights = self.no_weights if sample_weight is None else sample_weight
        if self.single:
            return _evaluate[float](
                self, X, Y, weights, sample_weight is not None, params, score
            )
        return _evaluate[double](
            self, X, Y, weights, sample_weight is not None, params, score
        )

    def loss_and_gradient(self, X, Y, sample_weight, params, grad, double scale=1.0):
        """One batch (every row of ``X``, at most ``batch_size``) as
        ``Network.loss_and_gradient``: the mean loss, L2 penalty included,
        and the batch's weight; ``grad`` receives the gradient times
        ``scale``."""
        if X.shape[0] > self.batch_size:
            raise ValueError(f"A batch holds at most {self.batch_size} rows.")
        weights = self.no_weights if sample_weight is None else sample_weight
        if self.single:
            return _loss_and_gradient[float](
                self, X, Y, weights, sample_weight is not None, params, grad, scale,
            )
        return _loss_and_gradient[double](
            self, X, Y, weights, sample_weight is not None, params, grad, scale,
        )


cdef (double, double) _loss_and_gradient(
    Trainer self, const floating[:, ::1] X, const floating[:, ::1] Y,
    const floating[::1] sample_weight, bint weighted, floating[::1] params,
    floating[::1] grad, double scale,
):
    cdef floating[::1] acts = self.acts, deltas = self.deltas
    cdef floating eps = _eps(<floating>0)
    cdef double loss, weight_sum, decay, penalty = 0
    cdef Py_ssize_t k
    cdef floating w
    loss, weight_sum = _batch(
        &self.net, &X[0, 0], X.shape[1], &Y[0, 0],
        &sample_weight[0] if weighted else NULL, NULL, 0, X.shape[0],
        &params[0], &grad[0], &acts[0], &deltas[0], NULL, scale, eps,
    )
    if weight_sum == 0:
        grad[:] = 0
        return 0.0, 0.0
    if self.hyper.alpha != 0:
        decay = (scale / weight_sum) * self.hyper.alpha
        w = <floating>decay
        for k in range(self.net.n_coefs):
            penalty += <double>params[k] * <double>params[k]
            grad[k] = grad[k] + params[k] * w
    if not self.net.fit_intercept:
        grad[self.net.n_coefs:] = 0
    return (loss + 0.5 * self.hyper.alpha * penalty) / weight_sum, weight_sum


cdef (double, double) _evaluate(
    Trainer self, const floating[:, ::1] X, const floating[:, ::1] Y,
    const floating[::1] sample_weight, bint weighted, floating[::1] params,
    int score,
):
    """:meth:`Trainer.evaluate`: the rows forwarded ``batch_size`` at a time
    through the trainer's buffers."""
    cdef floating[::1] acts = self.acts, deltas = self.deltas
    cdef Net* net = &self.net
    cdef Py_ssize_t n_rows = X.shape[0], n_features = X.shape[1]
    cdef Py_ssize_t n_out = net.units[net.n_layers], last = net.n_layers - 1
    cdef Py_ssize_t start, r, j, rows, best_j, best_y
    cdef double w, loss = 0, weight_sum = 0, correct = 0, value, total
    cdef floating eps = _eps(<floating>0)
    cdef bint finite = True, right
    cdef const floating* out
    cdef const floating* y
    # R^2: the targets' weighted means, then each output's sums of squares.
    cdef double[::1] y_mean = np.zeros(n_out), residual = np.zeros(n_out)
    cdef double[::1] spread = np.zeros(n_out)

    if n_rows == 0:
        return 0.0, NAN
    with nogil:
        if score == R2:
            for r in range(n_rows):
                w = sample_weight[r] if weighted else 1.0
                weight_sum += w
                for j in range(n_out):
                    y_mean[j] += w * Y[r, j]
            for j in range(n_out):
                y_mean[j] = y_mean[j] / weight_sum
            weight_sum = 0
        start = 0
        while start < n_rows:
            rows = min(self.batch_size, n_rows - start)
            _forward(net, &X[start, 0], rows, &params[0], &acts[0])
            for r in range(rows):
                out = &acts[0] + net.block_at[last] + r * n_out
                y = &Y[start + r, 0]
                w = sample_weight[start + r] if weighted else 1.0
                weight_sum += w
                loss += w * _loss_and_delta(
                    net.loss, net.output, y, out, &deltas[0], n_out, eps
                )
                for j in range(n_out):
                    finite = finite and isfinite(out[j])
                if score == ACCURACY and net.output == SOFTMAX:
                    # the first largest of each row, as argmax
                    best_j = best_y = 0
                    for j in range(1, n_out):
                        if out[j] > out[best_j]:
                            best_j = j
                        if y[j] > y[best_y]:
                            best_y = j
                    correct += w * (best_j == best_y)
                elif score == ACCURACY:
                    right = True
                    for j in range(n_out):
                        right = right and ((out[j] > 0.5) == (y[j] > 0.5))
                    correct += w * right
                elif score == R2:
                    for j in range(n_out):
                        residual[j] += w * (<double>y[j] - out[j]) ** 2
                        spread[j] += w * (<double>y[j] - y_mean[j]) ** 2
            start += rows
    if not weight_sum:
        return 0.0, NAN
    loss = loss / weight_sum
    if not finite or score == LOSS_ONLY:
        return loss, NAN
    if score == ACCURACY:
        return loss, correct / weight_sum
    if n_rows < 2:
        return loss, NAN  # R^2 of one sample is undefined, as r2_score says
    total = 0
    for j in range(n_out):
        # r2_score's force_finite: a constant target scores 1 when predicted
        # exactly, 0 otherwise.
        if spread[j] != 0:
            value = 1 - residual[j] / spread[j]
        else:
            value = 1.0 if residual[j] == 0 else 0.0
        total += value
    return loss, total / n_out


cdef inline floating _eps(floating like) noexcept nogil:
    """The machine epsilon of ``floating`` (log-loss's smallest probability)."""
    if floating is float:
        return 1.1920928955078125e-07
    else:
        return 2.220446049250313e-16


# Work (multiply-adds, and a batch's fixed cost in the same unit) between two
# looks for a pending signal such as Ctrl-C: a look takes the GIL, about a
# microsecond; this much work takes about a millisecond, so a Ctrl-C takes
# effect within a few milliseconds whatever the batch size.
cdef double SIGNAL_CHECK_WORK = 2.0 ** 20
cdef double BATCH_OVERHEAD_WORK = 64


cdef (Py_ssize_t, int) _train_epochs(
    Trainer self, const floating[:, ::1] X, const floating[:, ::1] Y,
    const floating[::1] sample_weight, bint weighted, floating[::1] params,
    Py_ssize_t[::1] order, object bit_generator, double[::1] loss_curve,
    bint end_epochs,
):
    """The epochs of :meth:`Trainer.train_epochs`, as ``_training``'s loop;
    with ``end_epochs`` False, the epochs only (what ``_training`` does at
    an epoch's end, Python does)."""
    cdef floating[::1] acts = self.acts, deltas = self.deltas
    cdef floating[::1] gathered = self.gathered
    cdef floating[::1] state_1 = self.state_1, state_2 = self.state_2
    cdef floating[::1] grad = self.grad
    cdef Net* net = &self.net
    cdef Hyper* hyper = &self.hyper
    cdef Progress* progress = &self.current
    cdef Py_ssize_t n_samples = X.shape[0], n_features = X.shape[1]
    cdef Py_ssize_t n_epochs = loss_curve.shape[0], n_params = params.shape[0]
    cdef Py_ssize_t e, start, n_rows, done = 0
    cdef double learning_rate = progress.learning_rate
    cdef double best_loss = progress.best_loss
    cdef double stalled = progress.no_improvement_count
    cdef double samples_seen = progress.samples_seen, adam_t = progress.adam_t
    cdef double cycle_epoch = progress.epoch
    cdef double batch_loss, batch_weight, loss_sum, weight_sum, epoch_loss
    cdef double scale, penalty, work = 0
    cdef double batch_work = self.batch_size * net.n_coefs + BATCH_OVERHEAD_WORK
    cdef floating eps = _eps(<floating>0)
    cdef bint shuffled = bit_generator is not None
    cdef bitgen_t* bitgen = NULL
    cdef object lock = None
    cdef int status = RAN
    cdef floating* state = NULL  # SGD's velocity (NULL without momentum), Adam's m
    cdef const floating* sw = NULL
    cdef const Py_ssize_t* rows

    if hyper.solver == ADAM or state_1.shape[0] > 0:
        state = &state_1[0]
    if weighted:
        sw = &sample_weight[0]
    if shuffled:
        bitgen = <bitgen_t*>PyCapsule_GetPointer(bit_generator.capsule, "BitGenerator")
        lock = bit_generator.lock

    try:
        with nogil:
            for e in range(n_epochs):
                loss_sum = 0
                weight_sum = 0
                scale = learning_rate if hyper.solver == SGD else 1.0
                rows = NULL
                if shuffled:
                    # Under the generator's lock, as NumPy draws: held for
                    # the draw only, so that fits in other threads sharing
                    # the generator (random_state=None) keep training.
                    with gil:
                        with lock:
                            draw_permutation(bitgen, &order[0], n_samples)
                start = 0
                while start < n_samples:
                    work += batch_work
                    if work >= SIGNAL_CHECK_WORK:
                        # Ctrl-C: its KeyboardInterrupt leaves here, with
                        # the batches stepped so far (as in the Python loop).
                        work = 0
                        with gil:
                            PyErr_CheckSignals()
                    n_rows = min(self.batch_size, n_samples - start)
                    if shuffled:
                        rows = &order[start]
                    batch_loss, batch_weight = _batch(
                        net, &X[0, 0], n_features, &Y[0, 0], sw, rows, start,
                        n_rows, &params[0], &grad[0], &acts[0], &deltas[0],
                        &gathered[0] if shuffled else NULL, scale, eps,
                    )
                    if batch_weight:
                        if hyper.solver == ADAM:
                            adam_t += 1
                        penalty = _step(
                            net, hyper, &params[0], &grad[0], state,
                            &state_2[0] if hyper.solver == ADAM else NULL,
                            n_params, (scale / batch_weight) * hyper.alpha, adam_t,
                            learning_rate,
                        )
                        batch_loss = (
                            batch_loss + 0.5 * hyper.alpha * penalty
                        ) / batch_weight
                    loss_sum += batch_loss * batch_weight
                    weight_sum += batch_weight
                    start += self.batch_size
                epoch_loss = loss_sum / weight_sum if weight_sum else 0.0
                samples_seen += n_samples
                loss_curve[e] = epoch_loss
                done += 1
                if not end_epochs:
                    continue
                if not isfinite(epoch_loss):
                    status = DIVERGED
                    break
                # SGD.end_epoch, StochasticSolver.end_epoch (cosine_rate)
                if hyper.solver == SGD and hyper.schedule == INVSCALING:
                    learning_rate = hyper.learning_rate_init / pow(
                        samples_seen + 1, hyper.power_t
                    )
                elif hyper.schedule == COSINE:
                    cycle_epoch += 1
                    learning_rate = hyper.learning_rate_init * 0.5 * (
                        1.0 + cos(
                            M_PI * (fmod(cycle_epoch, hyper.horizon) / hyper.horizon)
                        )
                    )
                # _training._update_plateau_count, on the training loss
                stalled = stalled + 1 if epoch_loss > best_loss - hyper.tol else 0
                if epoch_loss < best_loss:
                    best_loss = epoch_loss
                if stalled > hyper.n_iter_no_change:
                    # solver.on_plateau()
                    if (
                        hyper.solver == SGD and hyper.schedule == ADAPTIVE
                        and learning_rate > 1e-6
                    ):
                        learning_rate = learning_rate / 5.0
                        stalled = 0
                    else:
                        status = CONVERGED
                        break
    finally:
        # Also when interrupted: the state of the epochs done, and the
        # solver's of every step taken.
        progress.learning_rate, progress.best_loss = learning_rate, best_loss
        progress.no_improvement_count = stalled
        progress.samples_seen, progress.adam_t = samples_seen, adam_t
        progress.epoch = cycle_epoch
        self.epochs_run = done
    return done, status


def adam_step(
    double[::1] params, const double[::1] grad, double[::1] m, double[::1] v,
    Py_ssize_t n_coefs, double decay, double beta_1, double beta_2,
    double epsilon, double step, bint exact=False,
):
    """One fused Adam step in float64, as ``train_epochs`` takes it (for the
    tests: ``exact`` forces the loop of exact divisions that CPUs without
    AVX-512 run); returns the sum of squares of ``params[:n_coefs]``."""
    return adam_step_d(
        &params[0], &grad[0], &m[0], &v[0], params.shape[0], n_coefs,
        decay != 0, decay, beta_1, beta_2, 1 - beta_1, 1 - beta_2, epsilon,
        step, exact,
    )


def permutation(object bit_generator, Py_ssize_t[::1] order):
    """Fill ``order`` with ``arange(len(order))`` shuffled as ``train_epochs``
    shuffles an epoch's rows, from ``bit_generator`` (for the tests: it must
    equal ``RandomState.permutation`` drawn from the same state)."""
    cdef bitgen_t* bitgen = <bitgen_t*>PyCapsule_GetPointer(
        bit_generator.capsule, "BitGenerator"
    )
    with bit_generator.lock:
        if order.shape[0]:
            draw_permutation(bitgen, &order[0], order.shape[0])
