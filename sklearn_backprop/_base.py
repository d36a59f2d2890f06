"""The estimator shared by the classifier and the regressor.

It validates parameters and data with scikit-learn's own helpers, builds a
:class:`~sklearn_backprop._network.Network`, hands it to the training loop and
stores what comes back as fitted attributes. The subclasses say how targets
are encoded, which output unit they need and how a validation set is scored.
"""

import copy
import math
import re
import warnings
from abc import ABCMeta, abstractmethod
from functools import partial
from numbers import Integral, Real
from os import environ

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._array_api import (
    _estimator_with_converted_arrays,
    check_same_namespace,
    get_namespace,
    move_estimator_to,
)
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    _check_sample_weight,
    _get_feature_names,
    check_array,
    check_is_fitted,
    check_X_y,
    column_or_1d,
    validate_data,
)

from ._activations import HIDDEN_UNITS
from ._array_api import all_finite, float_dtypes, follow, follow_precisely, to_host
from ._averaging import StopReason, average_histories, average_weights
from ._callbacks import (
    CallbackListener,
    CallbackSupportMixin,
    has_callbacks,
    open_fit_task,
    task_metadata,
)
from ._diagnostics import hidden_saturation, warn_if_saturated
from ._engines import select_engine
from ._losses import make_loss
from ._preprocessing import (
    categorical_mask,
    is_dataframe,
    make_preprocessor,
    preprocess,
    weigh,
)
from ._solvers import STOCHASTIC_SOLVERS, make_solver
from ._splines import add_splines, fit_splines, n_spline_features
from ._training import (
    History,
    Validation,
    VerboseListener,
    train_lbfgs,
    train_stochastic,
    warn_interrupted_end,
)

# The address of a hosted copy of the documentation (docs/_build/html), for
# the notebook HTML repr's links. There is no official host: unset, the repr
# links nowhere.
DOCS_URL_VARIABLE = "SKLEARN_BACKPROP_DOCS_URL"


class BaseBackprop(CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta):
    """Shared parameters, validation and fit/predict plumbing.

    Not for direct use: see ``BackpropClassifier`` and ``BackpropRegressor``.
    """

    # The notebook HTML repr links each parameter to its documentation and
    # shows its description from the class docstring, as scikit-learn's own
    # estimators do; it does so only for classes of `_doc_link_module`.
    _doc_link_module = "sklearn_backprop"

    @property
    def _doc_link_template(self):
        """The API page of the estimator in the copy of the documentation at
        $SKLEARN_BACKPROP_DOCS_URL; empty (no link) when it is unset."""
        docs_url = environ.get(DOCS_URL_VARIABLE, "").rstrip("/")
        if not docs_url:
            return ""
        return docs_url + "/generated/{estimator_module}.{estimator_name}.html"

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(HIDDEN_UNITS))],
        "solver": [StrOptions({"sgd", "adam", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "learning_rate": [
            StrOptions({"auto", "constant", "invscaling", "adaptive", "cosine"})
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "init": [
            StrOptions(
                {"auto", "spread_uniform", "glorot_uniform", "uniform", "normal"}
            )
        ],
        "fit_intercept": ["boolean"],
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "preprocessing": [StrOptions({"auto"}), "boolean"],
        "n_networks": [Interval(Integral, 1, None, closed="left")],
        "spline_knots": [Interval(Integral, 2, None, closed="left"), None],
    }

    def _set_init_params(self, init_locals):
        """Store the ``__init__`` arguments unchanged, as scikit-learn expects.

        Each estimator spells out its full signature (for ``help()`` and the
        docs) and calls this with ``locals()``.
        """
        for name, value in init_locals.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)

    # -- what the subclasses provide -------------------------------------

    @abstractmethod
    def _fit_target_encoder(self, y, sample_weight, classes=None):
        """Return an encoder for targets like ``y``, fitted on them."""

    @abstractmethod
    def _store_target_encoder(self, encoder):
        """Keep a fit's encoder as fitted attributes (arrays, builtins and
        scikit-learn objects only, see ``_store_fit``)."""

    @abstractmethod
    def _fitted_target_encoder(self):
        """The encoder of the last fit, from the fitted attributes."""

    def _continue_target_encoder(self, encoder, y, sample_weight, incremental):
        """The encoder a warm start or ``partial_fit`` call continues with
        (here the fitted one); see :meth:`_rescale_output`."""
        return encoder

    def _rescale_output(self, network, old, new):
        """Adapt ``network``'s output layer to an encoder changed from ``old``
        to ``new`` by :meth:`_continue_target_encoder`, keeping its
        predictions."""

    @abstractmethod
    def _encode_targets(self, encoder, y):
        """Return ``y`` as the output layer sees it, 2-D float."""

    @abstractmethod
    def _output_activation(self, encoder):
        """The output unit for targets encoded by ``encoder``."""

    @abstractmethod
    def _encoded_score(self, encoder, y, output, sample_weight):
        """Score (accuracy or R^2) of a network output against encoded targets."""

    # Which score ``_encoded_score`` is, by name: ``"accuracy"`` or ``"r2"``
    # (an engine may compute it itself, see ``_training.Validation``).
    _score_name = None

    def _sample_weight(self, sample_weight, X, y, incremental):
        """Validated sample weights (None when all are one)."""
        if sample_weight is None:
            return None
        return _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )

    # -- fitting -----------------------------------------------------------

    def _is_continuing(self, incremental):
        return hasattr(self, "coefs_") and (incremental or self.warm_start)

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if not all(isinstance(s, Integral) and s >= 1 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be an int >= 1 or a sequence of ints >= 1 "
                f"(the units of each hidden layer), got {self.hidden_layer_sizes!r}."
            )
        return [int(s) for s in sizes]

    def _validate_fit_data(self, X, y, reset):
        if reset:
            self._fit_preprocessing_choice(X)
        if self._preprocesses():
            X = self._preprocess(X, reset)
            X, y = check_X_y(X, y, multi_output=True, y_numeric=not is_classifier(self))
        else:
            try:
                X, y = validate_data(
                    self,
                    X,
                    y,
                    accept_sparse=("csr", "csc"),
                    multi_output=True,
                    y_numeric=not is_classifier(self),
                    dtype=float_dtypes(X),
                    reset=reset,
                )
            except ValueError as error:
                if reset and str(error).startswith("Input X contains NaN"):
                    raise ValueError(
                        f"{error}\nOr pass preprocessing=True: the estimator then "
                        "standardises the features, fills each gap with its "
                        "column's mean and flags it in a column of its own."
                    ) from error
                raise
        # Targets are encoded on the host, once per fit, then follow X.
        y = to_host(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _fit_preprocessing_choice(self, X):
        """Set ``is_categorical_`` and an unfitted ``preprocessor_`` (None
        when X is used as given) for a new fit on ``X``."""
        is_categorical = categorical_mask(X, self.categorical_features)
        if self.preprocessing == "auto":
            # Tabular data: a frame with column names, or with a categorical
            # column. An array, or a frame without names (an array wrapped),
            # is used as given.
            wanted = _get_feature_names(X) is not None or (
                is_categorical is not None and bool(is_categorical.any())
            )
        else:
            wanted = self.preprocessing
        if not wanted:
            if self.preprocessing is False and _names_columns(
                self.categorical_features
            ):
                raise ValueError(
                    "categorical_features names categorical columns, but "
                    "preprocessing=False does not encode them: set preprocessing "
                    "to 'auto' or True, or leave categorical_features at its "
                    "default."
                )
            self.is_categorical_ = self.preprocessor_ = None
            return
        self.preprocessor_, self.is_categorical_ = make_preprocessor(X, is_categorical)

    def _preprocess(self, X, reset):
        """Raw ``X`` checked against the columns seen in fit, then through
        ``preprocessor_`` (fitted first when ``reset``)."""
        X = _table(X)
        _check_feature_names(self, X, reset=reset)
        _check_n_features(self, X, reset=reset)
        return preprocess(self.preprocessor_, X, fit=reset)

    def _fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
        incremental=False,
        classes=None,
    ):
        """Fit, or continue fitting; on any error, restore the previous state."""
        _check_validation_args(X_val, y_val, sample_weight_val)
        if incremental:
            max_tasks = 1
        else:
            # L-BFGS: one more task, begun after the last iteration, that may
            # never run (see CallbackListener.on_train_end).
            max_tasks = self.max_iter + (self.solver == "lbfgs")
        # Opened before the state is saved: scikit-learn tears the callbacks
        # down after fit from what this leaves on the estimator, failed or not.
        task = open_fit_task(self, max_tasks)
        saved_state = self.__dict__.copy()
        try:
            return self._fit_unsafe(
                X,
                y,
                sample_weight,
                (X_val, y_val, sample_weight_val),
                incremental,
                classes,
                task,
            )
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved_state)
            raise

    def _fit_unsafe(
        self, X, y, sample_weight, validation_data, incremental, classes, task
    ):
        if incremental and self.early_stopping is True:
            raise ValueError(
                "partial_fit does not support early_stopping=True: there is no "
                "held-out set across calls. Set early_stopping=False."
            )
        hidden_layer_sizes = self._hidden_layer_sizes()
        continuing = self._is_continuing(incremental)
        raw_X = X
        X, y = self._validate_fit_data(X, y, reset=not continuing)
        # What callbacks see and predict from: X as given when it is
        # preprocessed inside (the model predicts from raw data then).
        inputs = _table(raw_X) if self._preprocesses() else X
        sample_weight = self._sample_weight(sample_weight, X, y, incremental)
        if sample_weight is not None and not continuing and self._preprocesses():
            X = weigh(self.preprocessor_, inputs, to_host(sample_weight))
        if not continuing:
            self._fit_splines(X, sample_weight)
        X = self._with_splines(X)
        if task is not None:
            task.call_on_fit_task_begin(
                estimator=self, X=inputs, y=y, metadata=task_metadata(sample_weight)
            )
        if continuing:
            fitted_encoder = self._fitted_target_encoder()
            encoder = self._continue_target_encoder(
                fitted_encoder, y, to_host(sample_weight), incremental
            )
        else:
            encoder = self._fit_target_encoder(y, to_host(sample_weight), classes)
        Y = self._encode(encoder, y, X)
        random_state = check_random_state(self.random_state)

        # A fit from scratch trains n_networks networks; continuing trains
        # the fitted model, averaged or not, as the one network it is.
        n_networks = 1 if continuing else self.n_networks
        if n_networks > 1 and task is not None and has_callbacks(self):
            raise ValueError(
                f"Callbacks follow the epochs of one network, and n_networks="
                f"{n_networks} trains {n_networks} in turn. Set n_networks=1 to "
                "use callbacks, or average networks of different random_state "
                "with sklearn.ensemble.VotingClassifier or VotingRegressor."
            )
        widths = self._averaged_networks() if continuing else 1
        hidden_units = [widths * units for units in hidden_layer_sizes]
        layer_units = [X.shape[1], *hidden_units, Y.shape[1]]
        loss = make_loss(self.loss, self._output_activation(encoder))
        make_network, _ = select_engine(X)
        dtype = X.dtype

        def build(units):
            return make_network(units, self.activation, loss, self.fit_intercept, dtype)

        network = build(layer_units)
        if continuing:
            network.set_weights(self.coefs_, self.intercepts_)
            self._rescale_output(network, fitted_encoder, encoder)
            history = self._fitted_history()
            if not incremental:
                # A warm start is a new run: its plateau count, its best loss
                # and its best validation score start afresh (unlike MLP,
                # which may stop a warm-started fit after one epoch); on new
                # data the loss may start far above the earlier fit's best.
                history.no_improvement_count = 0
                history.best_loss = np.inf
                history.best_validation_score = None
        else:
            network.initialize(self._init(), random_state)
            history = History()

        fit_data = inputs, y, sample_weight
        stop_early = self._early_stopping(y, incremental)
        split = partial(
            self._validation_split,
            X,
            Y,
            y,
            sample_weight,
            validation_data,
            encoder,
            random_state,
            stop_early,
            inputs,
        )
        X, Y, sample_weight, validation = data = split()
        initial_saturation = self._saturation(X, network)
        if history.validation_scores is None:
            _record_validation(history, validation)
        listeners = [VerboseListener()] if self.verbose else []
        if task is not None and has_callbacks(self):
            listeners.append(
                self._callback_listener(
                    task, network, history, encoder, validation, fit_data
                )
            )

        train = partial(
            self._train,
            random_state=random_state,
            early_stopping=stop_early,
            incremental=incremental,
        )
        first_stop = StopReason()
        if n_networks > 1:
            listeners.append(first_stop)
            if self.verbose:
                print(f"network=1/{n_networks}", flush=True)
        state = self._solver_state if continuing and incremental else None
        solver = train(network, history, listeners, *data, solver_state=state)
        n_trained = 1
        if n_networks > 1:
            # Each network holds out its own part of the training data (a
            # validation set given to fit is every network's).
            given = validation_data[0] is not None
            network, history, n_trained = self._average_more_networks(
                network,
                history,
                first_stop.reason,
                n_networks,
                train,
                build,
                (lambda: data) if given else split,
                random_state,
            )
            # The averaged network's optimizer starts afresh if trained on.
            solver = None

        self._store_fit(network, history, encoder, solver)
        self._n_networks_averaged = widths * n_trained
        # Whether the weights are the best validation epoch's (what "auto"
        # resolved to, for LossCurveDisplay): a builtin, like all fitted state.
        self._kept_best_epoch = bool(stop_early and validation is not None)
        self.saturation_ = self._saturation(X, network)
        warn_if_saturated(
            to_host(self.saturation_), to_host(initial_saturation), stacklevel=4
        )
        if task is not None:
            X, y, sample_weight = fit_data
            try:
                task.call_on_fit_task_end(
                    estimator=self,
                    X=X,
                    y=y,
                    metadata=task_metadata(sample_weight),
                    reconstruction_attributes={},
                )
            except KeyboardInterrupt:
                # The model is trained and stored: Ctrl-C while callbacks
                # wrap up keeps it, as Ctrl-C during training does.
                warn_interrupted_end(stacklevel=4)
        return self

    def _train(
        self,
        network,
        history,
        listeners,
        X,
        Y,
        sample_weight,
        validation,
        *,
        random_state,
        early_stopping,
        incremental,
        solver_state=None,
    ):
        """Train ``network`` in place, recording into ``history``; return the
        stochastic solver (its state for a later ``partial_fit``), or None for
        L-BFGS."""
        if self.solver == "lbfgs":
            train_lbfgs(
                network,
                X,
                Y,
                sample_weight,
                alpha=self.alpha,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                history=history,
                validation=validation,
                listeners=listeners,
            )
            return None
        # partial_fit continues the optimizer (moments, step count) under
        # today's hyperparameters; fit builds a new one, as MLP does.
        solver = make_solver(
            self.solver,
            network.params.shape[0],
            network.dtype,
            self.get_params(),
            state=solver_state,
            samples_seen=history.t,
            zeros=network.new_vector,
            incremental=incremental,
        )
        train_stochastic(
            network,
            solver,
            X,
            Y,
            sample_weight,
            batch_size=self._batch_size(X.shape[0]),
            shuffle=self.shuffle,
            max_iter=self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            alpha=self.alpha,
            random_state=random_state,
            history=history,
            validation=validation,
            early_stopping=early_stopping,
            listeners=listeners,
            incremental=incremental,
        )
        return solver

    def _average_more_networks(
        self, first, history, stopped, n_networks, train, build, split, random_state
    ):
        """Train networks 2 to ``n_networks`` as ``first`` was trained (its
        record: ``history``; why it stopped: ``stopped``), each drawn afresh
        from ``random_state``, on the data ``split()`` gives it (training rows
        and validation set); return the one network that averages them, their
        mean record and their number. Ctrl-C ends the fit with the networks
        trained so far, the interrupted one as it was."""
        networks, histories = [first], [history]
        for number in range(2, n_networks + 1):
            if stopped == "interrupted":
                break
            if self.verbose:
                print(f"network={number}/{n_networks}", flush=True)
            network = build(first.layer_units)
            network.initialize(self._init(), random_state)
            X, Y, sample_weight, validation = split()
            history = History()
            _record_validation(history, validation)
            stop = StopReason()
            listeners = [VerboseListener()] if self.verbose else []
            train(network, history, [*listeners, stop], X, Y, sample_weight, validation)
            networks.append(network)
            histories.append(history)
            stopped = stop.reason
        units, count = first.layer_units, len(networks)
        averaged = build([units[0], *(count * u for u in units[1:-1]), units[-1]])
        averaged.set_weights(
            *average_weights(
                [[to_host(c) for c in net.coefs] for net in networks],
                [[to_host(b) for b in net.intercepts] for net in networks],
            )
        )
        return averaged, average_histories(histories), count

    def _averaged_networks(self):
        """How many networks the fitted weights average (1 for a model fitted
        before ``n_networks`` existed)."""
        return getattr(self, "_n_networks_averaged", 1)

    def _saturation(self, X, network):
        """The saturated share of each hidden layer of ``network`` on ``X``
        (its weights as they are now)."""
        return hidden_saturation(
            X,
            network.coefs,
            network.intercepts if self.fit_intercept else None,
            self.activation,
            network.output_activation,
        )

    def _callback_listener(self, task, network, history, encoder, validation, fit_data):
        """Forward each epoch to scikit-learn's callbacks, with the validation
        set (else the training data, ``fit_data``) to score."""
        if validation is not None:
            X = (
                validation.inputs
                if self._preprocesses()
                else self._without_splines(validation.X)
            )
            y, weights = validation.labels, validation.sample_weight
        else:
            X, y, weights = fit_data

        def snapshot():
            # The fitted attributes as if training stopped now, enough to
            # predict (what scikit-learn asks of them): the weights copied,
            # since training goes on in place (_store_fit copies the curves);
            # no solver state.
            shadow = copy.copy(self)
            before = dict(vars(shadow))
            shadow._store_fit(network.copy(), history, encoder, None)
            return {
                name: value
                for name, value in vars(shadow).items()
                if before.get(name, _MISSING) is not value
            }

        return CallbackListener(
            self,
            task,
            X,
            y,
            task_metadata(weights),
            snapshot,
            task_name="iteration" if self.solver == "lbfgs" else "epoch",
        )

    def _encode(self, encoder, y, X):
        """Targets as the output layer sees them, in the network's dtype (that
        of ``X``), encoded on the host and moved to ``X``'s device."""
        xp, _ = get_namespace(X)
        dtype = np.float32 if X.dtype == xp.float32 else np.float64
        with np.errstate(over="ignore"):
            Y = self._encode_targets(encoder, y).astype(dtype, copy=False)
        if not np.isfinite(Y).all():
            raise ValueError(
                f"The targets overflow {np.dtype(dtype).name}, the dtype of X and "
                "of the network, once encoded. Scale the targets "
                "(scale_target=True), or pass X as float64."
            )
        return follow(Y, X)

    def _init(self):
        """The weight initialisation; ``"auto"`` is ``"spread_uniform"`` for
        the logistic unit and ``"glorot_uniform"`` (as MLP) for the others."""
        if self.init != "auto":
            return self.init
        return "spread_uniform" if self.activation == "logistic" else "glorot_uniform"

    def _batch_size(self, n_samples):
        if self.batch_size is None:
            return n_samples
        if self.batch_size == "auto":
            # Ten updates an epoch, in batches of 32 to 200 rows: on a few
            # hundred rows, MLP's min(200, n_samples) makes an epoch one
            # update, too few to train in max_iter epochs.
            return min(200, max(32, n_samples // 10), n_samples)
        return min(self.batch_size, n_samples)

    def _validation_split(
        self,
        X,
        Y,
        y,
        sample_weight,
        validation_data,
        encoder,
        random_state,
        stop_early,
        inputs,
    ):
        """Return the training arrays and the validation set, if any
        (``inputs``: the training features as callbacks see them)."""
        if validation_data[0] is not None:
            validation = self._given_validation(validation_data, encoder)
            # The validation set follows X to its namespace and device.
            validation.X, validation.y, validation.sample_weight = (
                follow(array, X)
                for array in (validation.X, validation.y, validation.sample_weight)
            )
            _warn_if_scaled_apart(X, validation.X)
            return X, Y, sample_weight, validation
        if not stop_early:
            return X, Y, sample_weight, None
        stratify = y if is_classifier(self) and y.ndim == 1 else None
        arrays = [X, Y, y] + ([] if sample_weight is None else [sample_weight])
        if self._preprocesses():
            # The row numbers, to hold out the same rows of the raw features.
            arrays.append(np.arange(X.shape[0]))
        try:
            split = train_test_split(
                *arrays,
                test_size=self.validation_fraction,
                random_state=random_state,
                stratify=stratify,
            )
        except ValueError as error:
            raise ValueError(
                f"Cannot hold out validation_fraction={self.validation_fraction} "
                f"of {X.shape[0]} samples for early stopping ({error}). Raise "
                "validation_fraction, pass X_val and y_val to fit, or set "
                "early_stopping=False."
            ) from error
        if split[1].shape[0] < 2:
            raise ValueError(
                "The validation set for early stopping has fewer than 2 samples. "
                "Raise validation_fraction or pass X_val and y_val to fit."
            )
        X_train, X_val, Y_train, Y_val, _, y_val = split[:6]
        sw_train, sw_val = split[6:8] if sample_weight is not None else (None, None)
        validation = Validation(
            X_val,
            Y_val,
            sw_val,
            partial(self._encoded_score, encoder),
            y_val,
            score_name=self._score_name,
            inputs=_safe_indexing(inputs, split[-1]) if self._preprocesses() else None,
        )
        return X_train, Y_train, sw_train, validation

    def _early_stopping(self, y, incremental):
        """Whether this fit stops on a validation score and keeps the best
        epoch's weights: ``early_stopping``, with ``"auto"`` resolved for
        targets ``y``. L-BFGS and ``partial_fit`` never stop early (L-BFGS
        does not: holding data out would only waste it)."""
        if incremental or self.solver == "lbfgs":
            return False
        if self.early_stopping == "auto":
            return self._auto_early_stopping(y)
        return self.early_stopping

    @abstractmethod
    def _auto_early_stopping(self, y):
        """What ``early_stopping="auto"`` means for this estimator and ``y``."""

    def _validation_rows(self, y):
        """The rows ``validation_fraction`` of ``y`` holds out (as
        ``train_test_split`` rounds them: up)."""
        return math.ceil(self.validation_fraction * y.shape[0])

    def _given_validation(self, validation_data, encoder):
        """The validation set given to fit as ``X_val, y_val, sample_weight_val``,
        validated like the training data (same features, same classes)."""
        raw_X_val, y_val, sw_val = validation_data
        try:
            X_val, y_val = self._validate_fit_data(raw_X_val, y_val, reset=False)
            X_val = self._with_splines(X_val)
            if sw_val is not None:
                sw_val = _check_sample_weight(
                    sw_val, X_val, dtype=X_val.dtype, ensure_non_negative=True
                )
            Y_val = self._encode(encoder, y_val, X_val)
        except (ValueError, TypeError) as error:
            raise _about_validation_set(error) from error
        score = partial(self._encoded_score, encoder)
        return Validation(
            X_val, Y_val, sw_val, score, y_val, self._score_name, inputs=raw_X_val
        )

    def _preprocesses(self):
        """Whether the fitted model preprocesses its features."""
        return getattr(self, "preprocessor_", None) is not None

    def _fit_splines(self, X, sample_weight):
        """Fit the spline features of the inputs ``X`` (see ``_splines``):
        ``spline_columns_`` and their basis, or None for both."""
        splines = None
        if self.spline_knots is not None:
            host_X = X if sp.issparse(X) else to_host(X)
            splines = fit_splines(host_X, self.spline_knots, to_host(sample_weight))
        self._splines = splines
        self.spline_columns_ = None if splines is None else splines["columns"].copy()

    def _fitted_splines(self):
        """The fitted spline basis, or None (also for a model fitted before
        spline features existed)."""
        return getattr(self, "_splines", None)

    def _with_splines(self, X):
        """The inputs ``X`` with their spline features joined."""
        return add_splines(X, self._fitted_splines())

    def _without_splines(self, X):
        """The network's inputs ``X`` without their spline features: the
        inputs as validated (the spline features are the last columns)."""
        n_splines = n_spline_features(self._fitted_splines())
        return X[:, : X.shape[1] - n_splines] if n_splines else X

    def _store_fit(self, network, history, encoder, solver):
        """Publish a finished fit as fitted attributes, all at once.

        Only arrays, Python builtins and scikit-learn objects are kept, so
        that ``skops.io`` need trust nothing but the estimator's class and a
        pickle holds no scratch buffers; ``_fitted_history`` and the solver's
        ``restore`` rebuild the rest when training continues.
        """
        self._store_target_encoder(encoder)
        for name in self._target_arrays:
            # Fitted arrays live with the weights (the labels on the host).
            setattr(self, name, follow_precisely(getattr(self, name), network.params))
        self._solver_state = None if solver is None else solver.state()
        self._no_improvement_count = history.no_improvement_count
        self.coefs_ = network.coefs
        self.intercepts_ = network.intercepts
        self.n_layers_ = len(network.layer_units)
        self.n_outputs_ = network.layer_units[-1]
        self.out_activation_ = network.output_activation
        self.n_iter_ = history.n_iter
        self.t_ = history.t
        self.loss_curve_ = list(history.loss_curve)
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else None
        self.best_loss_ = history.best_loss
        if history.validation_scores is None:
            self.validation_scores_ = None
            self.validation_loss_curve_ = None
            self.validation_epochs_ = None
            self.best_validation_score_ = None
        else:
            self.validation_scores_ = list(history.validation_scores)
            self.validation_loss_curve_ = list(history.validation_loss_curve)
            self.validation_epochs_ = list(history.validation_epochs)
            self.best_validation_score_ = history.best_validation_score

    def _fitted_history(self):
        """The training history, rebuilt from the fitted attributes."""
        return History(
            loss_curve=list(self.loss_curve_),
            validation_scores=_copy_or_none(self.validation_scores_),
            validation_loss_curve=_copy_or_none(self.validation_loss_curve_),
            validation_epochs=_copy_or_none(self.validation_epochs_),
            best_loss=self.best_loss_,
            best_validation_score=self.best_validation_score_,
            no_improvement_count=self._no_improvement_count,
            n_iter=self.n_iter_,
            t=self.t_,
        )

    # -- loading -----------------------------------------------------------

    def __setstate__(self, state):
        """Restore a pickled (or skops-loaded, or copied) estimator, checking
        that its fitted state makes a model: weights that chain from
        ``n_features_in_`` (the outputs of ``preprocessor_``, if any, and the
        spline features) to ``n_outputs_``, all finite. A damaged or edited
        file is refused here, not turned into garbage predictions."""
        super().__setstate__(state)
        if "coefs_" in self.__dict__:
            problem = self._fitted_state_problem()
            if problem is not None:
                raise ValueError(
                    f"The {type(self).__name__} being loaded has an invalid fitted "
                    f"state: {problem}. The file is damaged or was edited: load "
                    "another copy, or fit the model again."
                )

    def _fitted_state_problem(self):
        """What is wrong with the fitted state, or None."""
        coefs, intercepts = self.coefs_, self.intercepts_
        if not isinstance(coefs, list) or not isinstance(intercepts, list):
            return "coefs_ and intercepts_ must be lists of arrays"
        if len(coefs) != self.n_layers_ - 1 or len(intercepts) != len(coefs):
            return (
                f"{len(coefs)} weight matrices and {len(intercepts)} bias "
                f"vectors for n_layers_={self.n_layers_}"
            )
        fan_in = self.n_features_in_
        if self._preprocesses():
            # The network's inputs are the preprocessing's outputs.
            fan_in = len(self.preprocessor_.get_feature_names_out())
        fan_in += n_spline_features(self._fitted_splines())
        for i, (coef, intercept) in enumerate(zip(coefs, intercepts, strict=True)):
            if len(coef.shape) != 2 or coef.shape[0] != fan_in:
                return (
                    f"coefs_[{i}] has shape {tuple(coef.shape)} where "
                    f"({fan_in}, n_units) is needed"
                )
            fan_in = coef.shape[1]
            if tuple(intercept.shape) != (fan_in,):
                return (
                    f"intercepts_[{i}] has shape {tuple(intercept.shape)} "
                    f"where ({fan_in},) is needed"
                )
        if fan_in != self.n_outputs_:
            return (
                f"the last layer has {fan_in} units, not n_outputs_={self.n_outputs_}"
            )
        arrays = [(f"coefs_[{i}]", c) for i, c in enumerate(coefs)]
        arrays += [(f"intercepts_[{i}]", b) for i, b in enumerate(intercepts)]
        arrays += [(name, getattr(self, name)) for name in self._target_arrays]
        for name, array in arrays:
            if not all_finite(array):
                return f"{name} holds values that are not finite (NaN or inf)"
        return None

    # -- predicting --------------------------------------------------------

    def _decode_output(self, output):
        """The network's output in the units of the targets (as it is here;
        the regressor undoes its target scaling)."""
        return output

    def _forward(self, X, method):
        """The network's output for new data, decoded, checked to be finite;
        computed by the engine of ``X``'s namespace (``method``: the public
        method calling, for error messages)."""
        check_is_fitted(self)
        if not get_config()["array_api_dispatch"] and not isinstance(
            self._first_coef, np.ndarray
        ):
            # Fitted on another library's arrays, used with dispatch off: the
            # model computes on the host, in NumPy, as scikit-learn's linear
            # models then do (X is converted to NumPy by validation).
            return move_estimator_to(self, np, "cpu")._forward(X, method)
        if self._preprocesses():
            # Frames are host data: preprocessed there, then sent to the
            # weights' namespace and device.
            X = follow(self._preprocess(X, reset=False), self.coefs_[0])
        else:
            check_same_namespace(X, self, attribute="_first_coef", method=method)
            X = validate_data(
                self,
                X,
                accept_sparse=("csr", "csc"),
                dtype=self.coefs_[0].dtype,
                reset=False,
            )
        X = self._with_splines(X)
        intercepts = self.intercepts_ if self.fit_intercept else None
        _, predict = select_engine(X)
        output = predict(
            X, self.coefs_, intercepts, self.activation, self.out_activation_
        )
        with np.errstate(over="ignore", invalid="ignore"):
            output = self._decode_output(output)
        # Raised, not warned: no label or value can be given for such rows,
        # as for the non-finite X scikit-learn's validation refuses.
        xp, _ = get_namespace(output)
        if not xp.all(xp.isfinite(output)):
            bad_rows = ~np.isfinite(to_host(output)).all(axis=1)
            raise ValueError(
                f"The network's output overflowed for {bad_rows.sum()} of "
                f"{X.shape[0]} samples (the first at row "
                f"{np.flatnonzero(bad_rows)[0]}): their features are far outside "
                "the training data's range. Scale X as in training (e.g. with "
                "StandardScaler in a Pipeline), or drop those rows."
            )
        return output

    # Fitted state that stays on the host whatever the namespace of X: the
    # labels and feature names (which may be strings), the labels' encoding.
    # The preprocessing of the features, too: frames are host data.
    _host_attributes = (
        "classes_",
        "_label_binarizer",
        "feature_names_in_",
        "preprocessor_",
        "is_categorical_",
        "_splines",
        "spline_columns_",
    )
    # Fitted arrays of the target encoding that live with the weights.
    _target_arrays = ()

    def __sklearn_array_api_convert__(self, converter):
        """A copy of the estimator whose fitted arrays (weights, solver state)
        are converted by ``converter``, the label encoding kept on the host.

        What ``sklearn.utils._array_api.move_estimator_to`` calls to move a
        fitted model to another namespace or device (e.g. to NumPy, to pickle
        or export it).
        """
        moved = copy.copy(self)
        for name, value in vars(self).items():
            if name not in self._host_attributes:
                value = _estimator_with_converted_arrays(value, converter)
                setattr(moved, name, value)
        return moved

    @property
    def _first_coef(self):
        """The first layer's weights: where the fitted model lives."""
        return self.coefs_[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # preprocessing=True takes gaps, and dense host data only; "auto"
        # preprocesses named frames, and takes arrays as given (sparse, array
        # API, no NaN).
        always_preprocessed = self.preprocessing is True
        tags.input_tags.sparse = not always_preprocessed
        tags.input_tags.allow_nan = always_preprocessed
        tags.input_tags.categorical = self.preprocessing is not False
        tags.array_api_support = not always_preprocessed
        return tags


_MISSING = object()


def _record_validation(history, validation):
    """Start ``history``'s validation curves, when there is a validation set."""
    if validation is not None:
        history.validation_scores, history.validation_loss_curve = [], []
        history.validation_epochs = []


def _check_validation_args(X_val, y_val, sample_weight_val):
    """X_val and y_val come together; sample_weight_val only with them."""
    if X_val is not None and y_val is None:
        raise ValueError(
            "X_val was passed to fit without y_val: pass both X_val and y_val "
            "(the validation set's targets), or neither."
        )
    if y_val is not None and X_val is None:
        raise ValueError(
            "y_val was passed to fit without X_val: pass both X_val and y_val, "
            "or neither. In a Pipeline, route X_val to this step too, e.g. "
            'Pipeline(..., transform_input=["X_val"]) with '
            "set_fit_request(X_val=True, y_val=True)."
        )
    if sample_weight_val is not None and X_val is None:
        raise ValueError(
            "sample_weight_val was passed to fit without X_val and y_val: it "
            "weights the validation set, so pass X_val and y_val too."
        )


def _table(X):
    """``X`` as the preprocessing takes it: a DataFrame as it is, anything
    else as an array of any dtype, gaps allowed (a 1-D or an empty one gets
    scikit-learn's message)."""
    if is_dataframe(X):
        return X
    return check_array(X, dtype=None, ensure_all_finite=False)


def _names_columns(categorical_features):
    """Whether ``categorical_features`` lists columns (names, indices, a
    mask with some True), rather than ``"from_dtype"`` or None."""
    if categorical_features is None or isinstance(categorical_features, str):
        return False
    selected = np.asarray(categorical_features)
    return bool(selected.any()) if selected.dtype.kind == "b" else selected.size > 0


# How far (in X's standard deviations) X_val's column means may lie from X's,
# and how many times X's spread theirs may have, before X_val is taken to be
# on another scale: a random split's columns stay within a fraction of one.
SCALED_APART = 10.0


def _column_moments(X):
    """Column means and standard deviations of ``X`` (dense of any namespace,
    or sparse), as NumPy arrays."""
    if sp.issparse(X):
        mean, variance = mean_variance_axis(X, axis=0)
        return mean, np.sqrt(variance)
    xp, _ = get_namespace(X)
    return to_host(xp.mean(X, axis=0)), to_host(xp.std(X, axis=0))


def _warn_if_scaled_apart(X, X_val):
    """Warn when ``X_val``'s columns lie far from ``X``'s: most often X_val
    skipped a Pipeline's preprocessing, and its scores (and early stopping's
    choice of epoch) then mean nothing. Cheap: column moments, once a fit."""
    # (Values near float64's limits overflow the moments to inf: far apart.)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        mean, std = _column_moments(X)
        val_mean, val_std = _column_moments(X_val)
        shift = np.abs(val_mean - mean) / std
        spread = val_std / std
    apart = np.flatnonzero(
        (std > 0) & ((shift > SCALED_APART) | (spread > SCALED_APART))
    )
    if apart.size:
        j = apart[0]
        warnings.warn(
            f"X_val lies far from X in {apart.size} of {X.shape[1]} columns (column "
            f"{j}: mean {val_mean[j]:.4g} and standard deviation {val_std[j]:.4g}, "
            f"against X's {mean[j]:.4g} and {std[j]:.4g}): were they transformed "
            "alike? In a Pipeline, the earlier steps transform X_val only with "
            'Pipeline(..., transform_input=["X_val"]) and '
            "set_fit_request(X_val=True, y_val=True). Otherwise the validation "
            "scores, and the epoch early stopping keeps, mean little.",
            UserWarning,
            stacklevel=5,
        )


def _about_validation_set(error):
    """``error``, raised by validating the validation set with the training
    data's checks, naming what the user passed: ``X_val``, ``y_val`` and
    ``sample_weight_val`` where the checks say ``X``, ``y``, ``sample_weight``."""
    message = re.sub(r"(?<![\w.])(X|y|sample_weight)(?!\w)", r"\1_val", str(error))
    return type(error)(f"In the validation set: {message}")


def _copy_or_none(values):
    return None if values is None else list(values)


def partial_fit_available(estimator):
    """``partial_fit`` exists for the stochastic solvers only (as in MLP)."""
    if estimator.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            f"partial_fit is only available for the stochastic solvers "
            f"{STOCHASTIC_SOLVERS}, not solver={estimator.solver!r}."
        )
    return True
