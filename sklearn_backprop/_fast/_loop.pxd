# The codes the kernel and Python share, declared once. Python reads them as
# enumerations of the built module (``_loop.Unit["LOGISTIC"]``): a unit's or a
# loss's code is the member named as the registry's name in upper case
# (``_activations.UNITS``, ``_losses.LOSSES``), and
# ``tests/test_registry.py`` fails when a registered name has none.

cpdef enum Unit:
    LOGISTIC = 0
    TANH = 1
    RELU = 2
    IDENTITY = 3
    SOFTMAX = 4
    EXP = 5

cpdef enum Loss:
    SQUARED_ERROR = 0
    LOG_LOSS = 1
    POISSON = 2

cpdef enum Solver:
    SGD = 0
    ADAM = 1

cpdef enum Schedule:
    CONSTANT = 0
    INVSCALING = 1
    ADAPTIVE = 2
    COSINE = 3

# How a run of epochs ended.
cpdef enum Status:
    RAN = 0         # every epoch asked for
    CONVERGED = 1   # the plateau stopped training
    DIVERGED = 2    # the last epoch's loss is not finite

# What the kernel scores a validation set by (``Trainer.evaluate``): nothing
# but the loss, the accuracy (a classifier's) or R^2 (a regressor's).
cpdef enum Score:
    LOSS_ONLY = 0
    ACCURACY = 1
    R2 = 2
