"""The parameter descriptions both estimators share, written once.

Each estimator's class docstring holds the markers ``%(shared_parameters)s``
and ``%(shared_attributes)s``, its ``fit`` docstring
``%(validation_parameters)s``; :func:`fill_shared_docs` replaces them, so
``help()``, the API reference and the test that checks docstrings against
``get_params()`` all see the full text.
"""

import inspect

from ._activations import HIDDEN_UNITS

SHARED_PARAMETERS = """\
hidden_layer_sizes : array-like of shape (n_hidden_layers,), default=(100,)
        Units of each hidden layer, input to output. ``()`` means no hidden
        layer: the first document's two-layer network.

    activation : {HIDDEN_UNITS}, default="logistic"
        Hidden unit. ``"logistic"`` is the documents' sigmoid
        ``1 / (1 + exp(-x))``.

    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        Update rule. ``"sgd"`` is gradient descent with optional (Nesterov)
        momentum, the documents' rule when ``momentum=0``; ``"adam"`` scales
        each step by running moment estimates; ``"lbfgs"`` is the quasi-Newton
        method of :func:`scipy.optimize.minimize` on the full data set. All
        three use the same backpropagated gradient.

    alpha : float, default=%(default_alpha)s
        Strength of the L2 penalty ``0.5 * alpha * ||coefs||^2``, added to the
        summed loss of a batch before it is divided by the batch's weight.
        (MLP's default is 1e-4; this default was chosen by measurement, see
        ``docs/defaults.rst``.)

    batch_size : int, "auto" or None, default="auto"
        Rows per gradient step for ``"sgd"`` and ``"adam"``. ``"auto"`` is
        ``n_samples // 10`` clipped to [32, 200] (and to ``n_samples``): ten
        steps an epoch where batches of 32 to 200 rows allow it. (MLP's
        ``"auto"`` is ``min(200, n_samples)``: on a few hundred samples an
        epoch is one step, and ``max_iter`` epochs too few steps to train.)
        ``None`` is the whole training set in every step (the documents'
        full-batch descent). Larger values are clipped to ``n_samples``.
        Ignored by ``"lbfgs"``.

    learning_rate : {"auto", "constant", "invscaling", "adaptive", "cosine"}, \
default="auto"
        Schedule of the step size. ``"cosine"`` (``"sgd"`` and ``"adam"``):
        ``learning_rate_init * (1 + cos(pi * e / max_iter)) / 2`` in epoch
        ``e``, down to near 0 by ``max_iter`` (a new cycle after it, for
        ``partial_fit``; each ``fit`` starts one). ``"constant"``: the same
        step throughout. For ``"sgd"`` only, as in scikit-learn's MLP:
        ``"invscaling"``, ``learning_rate_init / (t + 1) ** power_t`` after
        ``t`` samples seen; ``"adaptive"``, divided by 5 each time the loss
        stops improving (see ``n_iter_no_change``). ``"auto"``: ``"cosine"``
        for ``"adam"``'s ``fit`` (chosen on real data, see
        ``docs/defaults.rst``), ``"constant"`` for ``"sgd"`` (the documents'
        rule; MLP's default) and for ``partial_fit``, which has no last epoch
        to come down to.

    learning_rate_init : float, default=%(default_learning_rate_init)s
        Step size (MLP's default is 0.001; chosen by measurement with the
        default batches and initialisation, see ``docs/defaults.rst``). It
        multiplies the *mean*
        gradient over a batch, as in scikit-learn's MLP: the documents' rate
        ``eta`` on the summed gradient of ``n`` samples is
        ``learning_rate_init = eta * n``.

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    max_iter : int, default=200
        Epochs at most (iterations for ``"lbfgs"``). Each epoch visits every
        training sample once.

    shuffle : bool, default=True
        Visit the samples in a new random order each epoch (mini-batches only).

    random_state : int, RandomState instance or None, default=None
        Seeds the weights (drawn layer by layer, in order), the shuffling and
        the early-stopping split. ``random_state=1`` with ``init="uniform"``
        draws exactly the documents' ``np.random.seed(1)`` weights.

    tol : float, default=1e-4
        Training stops when the loss (or, with early stopping, the
        validation score) has not improved by ``tol`` for ``n_iter_no_change``
        consecutive epochs. For ``"lbfgs"``, the gradient tolerance.

    verbose : bool, default=False
        Print one line per epoch: ``epoch=... loss=...
        [validation_loss=... validation_score=...] time=...s``, and a last
        line saying why training stopped: ``stopped=REASON n_iter=...`` and a
        sentence (``REASON``: ``tol``, ``early_stopping``, ``max_iter``,
        ``max_fun``, ``lbfgs``, ``callback``, ``partial_fit``, ``diverged``
        or ``interrupted``).

    warm_start : bool, default=False
        Continue from the previous fit's weights instead of drawing new ones.
        Each ``fit`` builds its optimizer from the current parameters (as
        MLP), so a changed ``solver``, ``learning_rate_init``, ``momentum``...
        applies. ``partial_fit`` always continues: it keeps the optimizer's
        state (momentum, Adam's moments and step count) and applies changed
        hyperparameters from its next step; a changed ``solver`` raises a
        ValueError (call ``fit`` with ``warm_start=True`` to switch).

    momentum : float, default=0.9
        Momentum of ``"sgd"``, between 0 and 1.

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``"sgd"`` when ``momentum > 0``.

    early_stopping : %(early_stopping_type)s, default=%(default_early_stopping)s
        Hold out ``validation_fraction`` of the training data (or use
        ``X_val``, ``y_val`` given to ``fit``), stop when its score has not
        improved by ``tol`` for ``n_iter_no_change`` epochs, and keep the
        weights of the best epoch. For ``"sgd"`` and ``"adam"``.%(early_stopping_auto)s

    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping (stratified
        for single-output classification).

    beta_1 : float, default=0.9
        Decay rate of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay rate of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Added to the root of Adam's second moment, for numerical stability.

    n_iter_no_change : int, default=%(default_n_iter_no_change)s
        Epochs without improvement by ``tol`` before training stops (or the
        ``"adaptive"`` schedule lowers the step size). (MLP's default is 10,
        the classifier's; the regressor waits 50 epochs, so that early
        stopping on a small, noisy validation set reaches the schedule's
        small steps: see ``docs/defaults.rst``.)

    max_fun : int, default=15000
        Loss evaluations at most for ``"lbfgs"``.

    init : {"auto", "spread_uniform", "glorot_uniform", "uniform", "normal"}, \
default="auto"
        How the weights are drawn. ``"auto"`` is ``"spread_uniform"`` for the
        logistic unit and ``"glorot_uniform"`` for the others.
        ``"spread_uniform"`` draws each hidden layer's weights from ``U(-b,
        b)`` with ``b = s * sqrt(3 / fan_in)``, so that a unit's weighted
        input has standard deviation ``s`` on standardised X, and its biases
        from ``U(-s, s)``, with ``s = 2`` for the logistic unit (LeCun's
        spread for tanh, stretched as ``sigmoid(z) = (1 + tanh(z / 2)) / 2``)
        and 1 for the others; the units start on the curved part of the
        sigmoid, neither saturated nor nearly linear. The output layer is
        drawn as ``"glorot_uniform"`` with ``k = 6``, bias zero. (MLP draws
        ``"glorot_uniform"`` weights and biases; with it, logistic units
        start nearly linear and a network may stay a linear model for long,
        see ``docs/defaults.rst``.) ``"uniform"`` is ``2 * U[0, 1) - 1``
        (first document), ``"normal"`` the standard normal (second document),
        ``"glorot_uniform"`` ``U(-b, b)`` with ``b = sqrt(k / (fan_in +
        fan_out))``, ``k = 2`` for the logistic unit and 6 for the others (as
        scikit-learn's MLP); with these the biases start at zero.

    fit_intercept : bool, default=True
        Whether each layer has a bias. The first document has none.

    categorical_features : array-like of {bool, int, str} of shape (n_features) \
or shape (n_categorical_features,), default="from_dtype"
        The categorical features, one-hot encoded when the features are
        preprocessed (see ``preprocessing``); HistGradientBoosting's parameter,
        with string and bool columns categorical too.

        - ``"from_dtype"``: the columns of a DataFrame (pandas, polars) whose
          dtype is category, enum, string, object or bool; none of an array.
        - boolean array-like: a mask of the categorical columns.
        - integer array-like: the indices of the categorical columns.
        - str array-like: the names of the categorical columns (X must have
          column names).
        - ``None``: no column is categorical.

        A missing value (NaN, None, ``pd.NA``) is a level of its own; levels
        seen fewer than 5 times in fit, and beyond the 50 most frequent, share
        one "infrequent" column, which a level unseen in fit joins at predict.

    preprocessing : "auto" or bool, default="auto"
        Whether the features are encoded and scaled inside, by a
        :class:`~sklearn.compose.ColumnTransformer` of scikit-learn's own
        transformers fitted by the first ``fit`` (or ``partial_fit``) and kept
        as ``preprocessor_``: numeric columns standardised
        (:class:`~sklearn.preprocessing.StandardScaler`, gaps left out) with
        their gaps (NaN, None, ``pd.NA``) at the mean and a 0/1
        :class:`~sklearn.impute.MissingIndicator` column for each column that
        had gaps in fit; categorical columns one-hot
        (:class:`~sklearn.preprocessing.OneHotEncoder`). ``"auto"``: for
        tabular data, a DataFrame with column names (pandas, polars), or when
        ``categorical_features`` finds a categorical column; an array, or a
        frame without column names, is used as given, as with ``False``.
        ``True``: always, also for numeric arrays (any scale, with gaps).
        Warm starts and later ``partial_fit`` calls reuse the fitted
        preprocessing; ``sample_weight`` weighs the numeric columns' scaling
        as it weighs the rows' losses (a weight of 2 counts the row twice).
        Not for sparse
        X, nor for array API inputs other than NumPy's (a fitted model moved
        to another namespace preprocesses frames on the host and predicts
        there).

    n_networks : int, default=1
        Networks a fit from scratch trains, one after another, from different
        draws of ``random_state`` (initial weights, batch order and, with
        early stopping, the part each holds out), each with its own solver,
        and then averages. A validation set given to fit (``X_val``) is
        every network's. The fitted model is one network
        that holds them side by side: ``n_networks`` times the hidden units,
        no weight between two networks' units, and an output layer that
        takes the mean of the networks' output-layer inputs, so that a
        regressor predicts the networks' mean and a classifier the
        normalised geometric mean of their probabilities. ``coefs_``,
        ``predict``, ONNX export and persistence see that one network; the
        curves of ``loss_curve_`` and ``validation_scores_`` are the
        networks' means, epoch by epoch (a network that stopped earlier
        counting with its last value), and ``n_iter_`` the most epochs a
        network ran. A fit costs ``n_networks`` fits. On real data the mean
        of two or three networks ranks first against MLP, gradient boosting,
        a linear model and RealMLP-TD (see ``docs/defaults.rst``). A warm
        start or a later ``partial_fit`` call trains the fitted model, all of
        it, as one network. Not with callbacks, which follow one network's
        epochs.

    spline_knots : int >= 2 or None, default=%(default_spline_knots)s
        Spline features: each input column with at least 20 distinct values
        gets (unless more than 16 columns do: then none, as a wide first
        layer would cost more than it measured to gain), beside itself, a
        cubic B-spline basis of ``spline_knots + 2``
        columns (scikit-learn's
        :class:`~sklearn.preprocessing.SplineTransformer` with
        ``extrapolation="linear"``), with up to ``spline_knots`` knots at its
        quantiles (weighted by ``sample_weight``); ``spline_columns_`` says
        which. The network's first layer then bends its response along each
        such column at will. ``None``: no spline features, the plain network.
        On the real tasks of ``benchmarks/realdata.py`` five knots raised the
        classifier's rank on both halves and lowered the regressor's on one
        (``docs/defaults.rst``), hence the two defaults. The inputs are the
        features as given, or the outputs of ``preprocessor_``; the fitted
        basis is kept by warm starts and later ``partial_fit`` calls (the
        first call's rows place the knots). They widen the first layer, up
        to ``spline_knots + 3`` times on numeric data, and a fit costs about
        that much more there. Of a sparse X, only columns stored for at least
        half of the rows (not those of a one-hot encoding or word counts)."""
# The hidden units are the registry's (``_activations.UNITS``).
SHARED_PARAMETERS = SHARED_PARAMETERS.replace(
    "{HIDDEN_UNITS}", "{" + ", ".join(f'"{name}"' for name in HIDDEN_UNITS) + "}"
)


SHARED_ATTRIBUTES = """\
loss_ : float
        Training loss of the last epoch (mean over samples, penalty included).

    best_loss_ : float
        Lowest training loss of any epoch of the last ``fit`` (and the
        ``partial_fit`` calls after it): a warm-started ``fit`` is a new run,
        whose plateau is measured against its own best loss.

    loss_curve_ : list of float
        Training loss of each epoch (each L-BFGS iteration), across warm starts
        and ``partial_fit`` calls.

    validation_scores_ : list of float or None
        Score of the validation set after each epoch, when there is one
        (``early_stopping=True``, or ``X_val`` and ``y_val`` given to ``fit``).

    validation_loss_curve_ : list of float or None
        Mean loss of the validation set (without penalty) after each epoch,
        comparable with ``loss_curve_``.

    validation_epochs_ : list of int or None
        The epoch (counted from 1, as ``loss_curve_``) after which each entry
        of ``validation_scores_`` and ``validation_loss_curve_`` was
        measured: they start later than ``loss_curve_`` when a validation set
        joins a warm start, and skip the epochs of fits without one.

    best_validation_score_ : float or None
        Best of ``validation_scores_``.

    t_ : int
        Training samples seen, counted once per epoch.

    coefs_ : list of ndarray of shape (n_units_in, n_units_out)
        Weight matrix of each layer.

    intercepts_ : list of ndarray of shape (n_units_out,)
        Bias of each layer (zeros when ``fit_intercept=False``).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when X has string column
        names.

    preprocessor_ : ColumnTransformer or None
        The fitted preprocessing of the features (see ``preprocessing``);
        None when X is used as given. Its ``get_feature_names_out()`` names
        the network's inputs.

    is_categorical_ : ndarray of shape (n_features_in_,), dtype=bool, or None
        The categorical features, when the features are preprocessed.

    spline_columns_ : ndarray of int or None
        The columns of the network's inputs (the features, or the outputs of
        ``preprocessor_``) that have spline features (see ``spline_knots``),
        in the order their basis columns follow the inputs in ``coefs_[0]``;
        None when none has.

    saturation_ : ndarray of shape (n_hidden_layers,)
        Share of each hidden layer's activations on the training data (at
        most 1000 evenly spaced rows) that are saturated: within 1e-3 of 0 or
        1 for ``"logistic"``, within 2e-3 of -1 or 1 for ``"tanh"`` (the same
        inputs, as ``tanh(z) = 2 * sigmoid(2 * z) - 1``); NaN for ``"relu"``
        and ``"identity"``, which do not saturate. Saturated units pass almost
        no gradient; ``fit`` warns :class:`SaturationWarning` when more than
        half of a layer is saturated both before and after this fit's
        training (saturation that training itself reached, sharp steps on
        scaled data, is not warned about).

    n_iter_ : int
        Epochs run by the last ``fit`` (L-BFGS iterations for ``"lbfgs"``);
        each ``partial_fit`` call since adds one (without a ``fit``, it counts
        the calls). scikit-learn's MLP sets it to 1 after every
        ``partial_fit``.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Units of the output layer.

    out_activation_ : str
        The output unit."""


VALIDATION_PARAMETERS = """\
X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
default=None
            A validation set, scored and its loss recorded after every epoch
            (``validation_scores_``, ``validation_loss_curve_``); with
            ``early_stopping=True`` it replaces the ``validation_fraction``
            held out of ``X``. In a :class:`~sklearn.pipeline.Pipeline`, the
            earlier steps transform it as they transform ``X`` with
            ``Pipeline(..., transform_input=["X_val"])`` and metadata routing
            (``set_fit_request(X_val=True, y_val=True)``).
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of the validation set, encoded as ``y`` (for the
            classifier, among the classes of ``y``). Required with ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Non-negative weights of the validation samples."""


CLASSIFIER_EARLY_STOPPING_AUTO = """
        ``"auto"``: on when ``class_weight`` is given and the data can spare
        a stratified validation set (``validation_fraction`` of the rows at
        least twice the number of classes, and three rows of each class),
        off otherwise. Class weights move the decision boundary only where
        the network has not memorised its training rows, and a network of
        the default size memorises a rare class's rows within the default
        epochs; the weighted validation score (balanced accuracy with
        ``class_weight="balanced"``) picks the epoch before that. Off for
        ``partial_fit``, which has no held-out set."""

REGRESSOR_EARLY_STOPPING_AUTO = """
        ``"auto"``: on when ``validation_fraction`` of the rows is 20 rows or
        more (200 rows at the default fraction), off otherwise. On noisy
        targets the default network keeps lowering its training loss long
        after its predictions stop improving; the best validation epoch
        scores higher on real data (``docs/defaults.rst``). Fewer validation
        rows score the epochs too noisily to choose among them. Off for
        ``partial_fit`` and ``"lbfgs"``."""


def fill_shared_docs(cls):
    """Class decorator: put the shared parameter and attribute text into the
    class docstring, and the validation set's into ``fit``'s.

    The defaults the estimators do not share (``alpha``,
    ``learning_rate_init``, ``early_stopping``, ``n_iter_no_change``,
    ``spline_knots``) are
    read from the class's own signature, so the text cannot drift from the
    code.
    """
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
    }
    auto = cls._early_stopping_auto_doc

    def shown(value):
        return f'"{value}"' if isinstance(value, str) else repr(value)

    parameters = (
        SHARED_PARAMETERS.replace("%(default_alpha)s", shown(defaults["alpha"]))
        .replace(
            "%(default_learning_rate_init)s", shown(defaults["learning_rate_init"])
        )
        .replace("%(default_early_stopping)s", shown(defaults["early_stopping"]))
        .replace("%(default_n_iter_no_change)s", shown(defaults["n_iter_no_change"]))
        .replace("%(default_spline_knots)s", shown(defaults["spline_knots"]))
        .replace("%(early_stopping_type)s", 'bool or "auto"')
        .replace("%(early_stopping_auto)s", auto)
    )
    cls.__doc__ = cls.__doc__.replace("%(shared_parameters)s", parameters).replace(
        "%(shared_attributes)s", SHARED_ATTRIBUTES
    )
    cls.fit.__doc__ = cls.fit.__doc__.replace(
        "%(validation_parameters)s", VALIDATION_PARAMETERS
    )
    return cls
