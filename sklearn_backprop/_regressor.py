"""BackpropRegressor: target scaling, the output unit, multi-output."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils import check_array
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if

from ._array_api import follow, to_host
from ._base import BaseBackprop, partial_fit_available
from ._docstrings import REGRESSOR_EARLY_STOPPING_AUTO, fill_shared_docs
from ._losses import loss_names


class TargetScaler:
    """Affine map of the targets into the units the network is trained in.

    Lives during ``fit`` only: the estimator keeps ``offset`` and ``scale`` as
    its ``_y_offset`` and ``_y_scale``, and ``seen`` as ``_y_seen``.

    Parameters
    ----------
    offset, scale : ndarray of shape (n_outputs,), float64
        ``encoded = (y - offset) / scale``.
    seen : tuple (weight_sum, mean, std) or None
        The statistics of every target seen so far (``partial_fit`` updates
        them and the scaling with them); None without scaling.
    mode : {"standard", "mean"} or None
        The scaling's kind (see :meth:`fit`).
    """

    def __init__(self, offset, scale, seen=None, mode=None):
        self.offset = offset
        self.scale = scale
        self.seen = seen
        self.mode = mode

    @classmethod
    def fit(cls, y, sample_weight, mode):
        """Fit on ``y`` (n_samples, n_outputs), in float64 whatever its dtype.

        ``mode`` is ``"standard"`` (weighted mean and standard deviation),
        ``"mean"`` (divide by the weighted mean; keeps targets non-negative,
        for the Poisson loss) or ``None`` (identity).
        """
        n_outputs = y.shape[1]
        if mode is None:
            return cls(np.zeros(n_outputs), np.ones(n_outputs))
        seen = _statistics(y.astype(np.float64), sample_weight)
        return cls(*_scaling(seen, mode), seen, mode)

    def partial_fit(self, y, sample_weight, shift):
        """The scaler of every target seen so far and ``y``.

        ``shift``: whether the offset (the output unit's shift, for the
        Poisson loss's ``mean`` mode the scale) may change, which the network
        can follow only through its output biases.
        """
        if self.seen is None or (
            sample_weight is not None and not np.any(sample_weight)
        ):
            return self  # (rows of zero weight train nothing either)
        seen = _combined(self.seen, _statistics(y.astype(np.float64), sample_weight))
        offset, scale = _scaling(seen, self.mode)
        if not shift:
            if self.mode == "mean":
                scale = self.scale
            offset = self.offset
        # A change within rounding (the same data again) is no change: the
        # network stays bit for bit.
        if np.all(np.abs(offset - self.offset) <= 1e-12 * self.scale) and np.all(
            np.abs(scale / self.scale - 1) <= 1e-12
        ):
            offset, scale = self.offset, self.scale
        return TargetScaler(offset, scale, seen, self.mode)

    def transform(self, y):
        """Targets in training units, 2-D float64."""
        # (y is on the host; a fitted scaler's arrays may be on a device.)
        offset, scale = to_host(self.offset), to_host(self.scale)
        return (y.reshape(y.shape[0], -1) - offset) / scale

    def inverse_transform(self, output):
        """Network outputs back in the units of the targets, in float64: the
        offset and scale keep the targets' precision whatever the network's
        dtype (a float32 network decoding ``1e8 + signal`` in float32 would
        keep three values of it)."""
        return output * self.scale + self.offset


def _statistics(y, sample_weight):
    """(weight sum, weighted mean, weighted standard deviation) of ``y``'s
    columns; all-zero weights count every row once."""
    if sample_weight is not None and not np.any(sample_weight):
        sample_weight = None
    weight_sum = y.shape[0] if sample_weight is None else np.sum(sample_weight)
    mean = _mean(y, sample_weight)
    return float(weight_sum), mean, _std(y, mean, sample_weight)


def _combined(a, b):
    """The statistics of two sets of targets from theirs (Chan et al.'s
    pairwise update, over standard deviations so that nothing is squared
    beyond each column's largest term)."""
    (weight_a, mean_a, std_a), (weight_b, mean_b, std_b) = a, b
    weight = weight_a + weight_b
    share_a, share_b = weight_a / weight, weight_b / weight
    delta = mean_b - mean_a
    size = np.maximum(np.maximum(std_a, std_b), np.abs(delta))
    size = np.where(size > 0, size, 1.0)
    std = size * np.sqrt(
        share_a * (std_a / size) ** 2
        + share_b * (std_b / size) ** 2
        + share_a * share_b * (delta / size) ** 2
    )
    return weight, mean_a + delta * share_b, std


def _scaling(seen, mode):
    """(offset, scale) of ``mode`` from the statistics ``seen``."""
    _, mean, std = seen
    if mode == "standard":
        return mean, np.where(std > 0, std, 1.0)
    return np.zeros_like(mean), np.where(mean > 0, mean, 1.0)


# Targets spread beyond ~1e154 would overflow their squares: each column is
# divided by its largest magnitude before it is summed or squared.


def _magnitude(y):
    size = np.max(np.abs(y), axis=0)
    return np.where(size > 0, size, 1.0)


def _mean(y, weights):
    """Weighted column means of ``y``, without overflow."""
    size = _magnitude(y)
    return np.average(y / size, axis=0, weights=weights) * size


def _std(y, mean, weights):
    """Weighted column standard deviations of ``y``, without overflow."""
    centred = y - mean
    size = _magnitude(centred)
    variance = np.average((centred / size) ** 2, axis=0, weights=weights)
    return np.sqrt(variance) * size


@fill_shared_docs
class BackpropRegressor(RegressorMixin, BaseBackprop):
    """Neural-network regressor trained by backpropagation.

    The network of the documents ("Backpropagation in 11 Lines" and "Python
    program for backpropagation") with an identity output unit (an
    exponential one for the Poisson loss), for single- and multi-output
    targets. The targets are standardised before training and predictions
    mapped back, so unscaled targets train well out of the box. A drop-in for
    :class:`~sklearn.neural_network.MLPRegressor`: the shared parameters have
    its names and meanings.

    Parameters
    ----------
    loss : {"squared_error", "poisson"}, default="squared_error"
        ``"squared_error"``: ``0.5 * ||output - y||^2`` with an identity output
        unit. ``"poisson"``: half the Poisson deviance with an exponential
        output unit; targets must be non-negative.

    %(shared_parameters)s

    scale_target : bool, default=True
        Train on standardised targets (``(y - mean) / std``, per output,
        weighted by ``sample_weight``) and map predictions back; for
        ``loss="poisson"``, targets are divided by their mean instead. The
        scaling is fitted by ``fit`` and kept by warm starts; each
        ``partial_fit`` call updates it with its targets (the mean and
        standard deviation of every target seen so far, as
        ``StandardScaler.partial_fit``), the output layer rescaled so that
        the update leaves the predictions unchanged (without
        ``fit_intercept``, only the standard deviation is updated, and the
        Poisson loss's mean not at all). A warm start or ``partial_fit`` after
        ``loss`` or ``scale_target`` changed fits the scaling anew, as the
        new setting needs it. ``loss_curve_`` is in the scaled units (of each
        ``partial_fit`` call).

    Attributes
    ----------
    %(shared_attributes)s

    See Also
    --------
    BackpropClassifier : The same network for classification.
    sklearn.neural_network.MLPRegressor : scikit-learn's multi-layer perceptron.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_backprop import BackpropRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = make_pipeline(StandardScaler(), BackpropRegressor(random_state=0))
    >>> float(cross_val_score(reg, X, y).mean()) > 0.4
    True
    """

    _early_stopping_auto_doc = REGRESSOR_EARLY_STOPPING_AUTO

    _parameter_constraints: dict = {
        **BaseBackprop._parameter_constraints,
        "loss": [StrOptions(loss_names("regression"))],
        "scale_target": ["boolean"],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="logistic",
        *,
        solver="adam",
        alpha=1e-3,
        batch_size="auto",
        learning_rate="auto",
        learning_rate_init=0.01,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping="auto",
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=50,
        max_fun=15000,
        init="auto",
        fit_intercept=True,
        categorical_features="from_dtype",
        preprocessing="auto",
        n_networks=1,
        spline_knots=None,
        scale_target=True,
    ):
        self._set_init_params(locals())

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the network to data matrix X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training data. A DataFrame may hold categorical columns and gaps
            (see ``preprocessing``).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.
        %(validation_parameters)s

        Returns
        -------
        self : BackpropRegressor
            The fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_backprop import BackpropRegressor
        >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
        >>> reg = BackpropRegressor(hidden_layer_sizes=(10,), solver="lbfgs",
        ...                         max_iter=500, random_state=0)
        >>> reg.fit(X, 100 * X.ravel() ** 2).score(X, 100 * X.ravel() ** 2) > 0.99
        True
        """
        return self._fit(
            X,
            y,
            sample_weight,
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=sample_weight_val,
        )

    @available_if(partial_fit_available)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the network with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training data. A DataFrame may hold categorical columns and gaps
            (see ``preprocessing``).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : BackpropRegressor
            The updated estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_backprop import BackpropRegressor
        >>> X, y = np.arange(10.0).reshape(-1, 1), np.arange(10.0)
        >>> reg = BackpropRegressor(random_state=0)
        >>> for _ in range(3):
        ...     reg = reg.partial_fit(X, y)
        >>> reg.n_iter_, len(reg.loss_curve_)
        (3, 3)
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _validate_fit_data(self, X, y, reset):
        # validate_data converts object targets to numbers, not strings.
        if y is not None:
            y = check_array(
                y,
                ensure_2d=False,
                dtype="numeric",
                ensure_all_finite=False,
                input_name="y",
            )
        return super()._validate_fit_data(X, y, reset)

    def _given_validation(self, validation_data, encoder):
        validation = super()._given_validation(validation_data, encoder)
        if validation.X.shape[0] < 2:
            raise ValueError(
                f"X_val has {validation.X.shape[0]} sample: the validation score "
                "of a regressor, R^2, needs at least 2 samples (it is undefined "
                "for one). Pass at least 2 validation samples."
            )
        return validation

    def _check_targets(self, y):
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                f"loss='poisson' needs non-negative targets; y has minimum "
                f"{np.min(y)}. Use loss='squared_error', or shift the targets."
            )

    def _scaling_mode(self):
        if not self.scale_target:
            return None
        return "mean" if self.loss == "poisson" else "standard"

    def _fit_target_encoder(self, y, sample_weight, classes=None):
        self._check_targets(y)
        return TargetScaler.fit(
            y.reshape(y.shape[0], -1), sample_weight, self._scaling_mode()
        )

    def _continue_target_encoder(self, scaler, y, sample_weight, incremental):
        """The scaling a warm start or ``partial_fit`` continues with.

        ``partial_fit`` updates it to every target seen so far: a first call
        of one row (or of a few alike) cannot tell the targets' spread, and
        frozen at it, the scaling would keep later targets far from the unit
        scale the network trains in. A changed ``loss`` or ``scale_target``
        needs another kind of scaling (the Poisson loss's standardised
        targets would be negative): it is fitted anew on ``y``.
        """
        self._check_targets(y)
        y = y.reshape(y.shape[0], -1)
        mode = self._scaling_mode()
        if scaler.mode != mode:
            return TargetScaler.fit(y, sample_weight, mode)
        if not incremental:
            return scaler
        return scaler.partial_fit(y, sample_weight, shift=self.fit_intercept)

    def _rescale_output(self, network, old, new):
        """Keep the model's predictions while its target scaling changes from
        ``old`` to ``new``: the output layer's pre-activation ``z`` becomes
        ``(z * old.scale + old.offset - new.offset) / new.scale`` (identity
        unit), or ``z + log(old.scale / new.scale)`` (exponential unit)."""
        if (old.offset is new.offset and old.scale is new.scale) or (
            network.output_activation != self.out_activation_
        ):
            return  # (a new loss's output unit cannot keep the predictions)
        old_offset, old_scale = to_host(old.offset), to_host(old.scale)
        if network.output_activation == "exp":
            factor = np.ones_like(old_scale)
            shift = np.log(old_scale / new.scale)
        else:
            factor = old_scale / new.scale
            shift = (old_offset - new.offset) / new.scale
        coefs, intercepts = network.coefs[-1], network.intercepts[-1]
        coefs *= follow(factor, coefs)
        if self.fit_intercept:
            intercepts *= follow(factor, intercepts)
            intercepts += follow(shift, intercepts)

    def _encode_targets(self, scaler, y):
        self._check_targets(y)
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if n_outputs != scaler.offset.shape[0]:
            raise ValueError(
                f"y has {n_outputs} outputs where the model was fitted with "
                f"{scaler.offset.shape[0]}. Refit without warm_start."
            )
        return scaler.transform(y)

    # The target scaling lives with the weights, on their device.
    _target_arrays = ("_y_offset", "_y_scale")

    def _store_target_encoder(self, scaler):
        self._y_offset = scaler.offset
        self._y_scale = scaler.scale
        # Python builtins, on the host: statistics, not part of the model.
        self._y_scaling = scaler.mode
        self._y_seen = None
        if scaler.seen is not None:
            weight_sum, mean, std = scaler.seen
            self._y_seen = (weight_sum, mean.tolist(), std.tolist())

    def _fitted_target_encoder(self):
        seen = getattr(self, "_y_seen", None)
        if seen is not None:
            weight_sum, mean, std = seen
            seen = (weight_sum, np.array(mean), np.array(std))
        # (A model saved before the mode was recorded: today's.)
        mode = getattr(self, "_y_scaling", self._scaling_mode())
        return TargetScaler(self._y_offset, self._y_scale, seen, mode)

    def _decode_output(self, output):
        return self._fitted_target_encoder().inverse_transform(output)

    def _auto_early_stopping(self, y):
        # A validation set of 20 rows or more: fewer score the epochs too
        # noisily to choose among them (docs/defaults.rst).
        return self._validation_rows(y) >= 20

    def _output_activation(self, scaler):
        return "exp" if self.loss == "poisson" else "identity"

    _score_name = "r2"

    def _encoded_score(self, scaler, y, output, sample_weight):
        # R^2 is unchanged by the per-output affine scaling of the targets.
        return r2_score(y, output, sample_weight=sample_weight)

    def predict(self, X):
        """Predict targets.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values, in the units of the training targets, float64
            whatever the dtype of X: the target scaling is undone in float64,
            keeping the targets' precision.

        Raises
        ------
        ValueError
            When the network's output overflows for some rows of ``X``
            (features far outside the training data's range).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_backprop import BackpropRegressor
        >>> X, y = np.arange(10.0).reshape(-1, 1), 1000 + 5 * np.arange(10.0)
        >>> reg = BackpropRegressor(hidden_layer_sizes=(), activation="identity",
        ...                         solver="lbfgs")
        >>> reg.fit(X, y).predict([[20.0]]).round(1)
        array([1100.])
        """
        output = self._forward(X, "predict")
        if self.n_outputs_ == 1:
            return output[:, 0]
        return output

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
