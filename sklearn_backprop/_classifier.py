"""BackpropClassifier: label encoding, the output unit, probabilities."""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._array_api import (
    _average,
    _is_numpy_namespace,
    get_namespace,
    get_namespace_and_device,
)
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, unique_labels

from ._array_api import follow, to_host
from ._base import BaseBackprop, partial_fit_available
from ._docstrings import CLASSIFIER_EARLY_STOPPING_AUTO, fill_shared_docs
from ._losses import loss_names


@fill_shared_docs
class BackpropClassifier(ClassifierMixin, BaseBackprop):
    """Neural-network classifier trained by backpropagation.

    A feed-forward network of sigmoid units (by default) trained by the
    backpropagation of the two documents this package follows, "Backpropagation
    in 11 Lines" and "Python program for backpropagation": forward pass,
    ``delta = error x sigmoid'(output)``, ``weights += rate x activations.T @
    delta``. Binary
    targets get one logistic output unit, multiclass targets a softmax layer,
    multilabel indicator targets one logistic unit per label. A drop-in for
    :class:`~sklearn.neural_network.MLPClassifier`: the shared parameters have
    its names and meanings.

    Parameters
    ----------
    %(shared_parameters)s

    loss : {"log_loss", "squared_error"}, default="log_loss"
        ``"log_loss"``: cross-entropy, whose output delta is ``output - y``.
        ``"squared_error"``: ``0.5 * ||output - y||^2``, whose output delta is
        the documents' ``error x sigmoid'(output)``.

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``:
        ``{label: weight}``, or ``"balanced"`` for weights inversely
        proportional to class frequencies, ``n_samples / (n_classes *
        np.bincount(y))``. ``"balanced"`` is not available in ``partial_fit``.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels.

    %(shared_attributes)s

    See Also
    --------
    BackpropRegressor : The same network for regression.
    sklearn.neural_network.MLPClassifier : scikit-learn's multi-layer perceptron.

    Notes
    -----
    With ``solver="sgd", batch_size=None, momentum=0, alpha=0,
    loss="squared_error", init="uniform", fit_intercept=False, shuffle=False,
    tol=0, random_state=1`` and ``learning_rate_init = eta * n_samples``, the
    estimator runs the documents' programs update for update.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_backprop import BackpropClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(
    ...     StandardScaler(), BackpropClassifier(max_iter=1000, random_state=0)
    ... )
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    >>> clf.predict_proba(X[:1]).round(2)
    array([[1., 0., 0.]])
    """

    _early_stopping_auto_doc = CLASSIFIER_EARLY_STOPPING_AUTO

    _parameter_constraints: dict = {
        **BaseBackprop._parameter_constraints,
        "loss": [StrOptions(loss_names("classification"))],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="logistic",
        *,
        solver="adam",
        alpha=1e-3,
        batch_size="auto",
        learning_rate="auto",
        learning_rate_init=0.003,
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
        n_iter_no_change=10,
        max_fun=15000,
        init="auto",
        fit_intercept=True,
        categorical_features="from_dtype",
        preprocessing="auto",
        n_networks=1,
        spline_knots=5,
        loss="log_loss",
        class_weight=None,
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
        """Fit the network to data matrix X and labels y.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training data. A DataFrame may hold categorical columns and gaps
            (see ``preprocessing``).
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; multiplied by ``class_weight``.
        %(validation_parameters)s

        Returns
        -------
        self : BackpropClassifier
            The fitted estimator.

        Examples
        --------
        >>> from sklearn_backprop import BackpropClassifier
        >>> X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]
        >>> clf = BackpropClassifier((8,), solver="lbfgs", alpha=0, random_state=0)
        >>> clf.fit(X, y).predict(X)
        array([0, 1, 1, 0])
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
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the network with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training data. A DataFrame may hold categorical columns and gaps
            (see ``preprocessing``).
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole data set. Required on the first call;
            ``y`` need not contain them all.

        Notes
        -----
        ``n_iter_`` counts the epochs of the last ``fit`` and one more for
        each ``partial_fit`` call since (from 0 without a ``fit``: the number
        of calls), as ``loss_curve_`` has one entry per epoch; scikit-learn's
        MLP sets ``n_iter_`` to 1 after every ``partial_fit`` call.

        Returns
        -------
        self : BackpropClassifier
            The updated estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_backprop import BackpropClassifier
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
        >>> clf = BackpropClassifier(random_state=0)
        >>> clf = clf.partial_fit(X[:2], ["a", "a"], classes=["a", "b"])
        >>> clf = clf.partial_fit(X[2:], ["b", "b"])
        >>> clf.classes_.tolist(), clf.n_iter_
        (['a', 'b'], 2)
        """
        if classes is not None and np.ndim(classes) != 1:
            raise ValueError(
                "classes must be a 1-D array-like of every class label, e.g. "
                f"classes=np.unique(y_all); got one of shape {np.shape(classes)}. "
                "(For a multilabel y, pass its label columns: "
                "classes=range(n_labels).)"
            )
        first_call = not hasattr(self, "classes_")
        if first_call and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: every "
                "class of the whole data set, e.g. classes=np.unique(y_all)."
            )
        if not first_call and classes is not None:
            if not np.array_equal(self.classes_, unique_labels(classes)):
                raise ValueError(
                    f"classes={classes!r} is not the same as in the first call to "
                    f"partial_fit, {self.classes_!r}. Pass the same classes, or "
                    "none after the first call."
                )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _auto_early_stopping(self, y):
        # Class weights only move the boundary of a network that has not
        # memorised its training rows (see the early_stopping parameter).
        if self.class_weight is None:
            return False
        if y.ndim != 1:  # multilabel: the split is not stratified
            return self._validation_rows(y) >= 2
        # A stratified validation set with room for every class.
        counts = np.unique(y, return_counts=True)[1]
        return self._validation_rows(y) >= max(2, 2 * counts.size) and (
            counts.min() >= 3
        )

    def _validate_fit_data(self, X, y, reset):
        X, y = super()._validate_fit_data(X, y, reset)
        check_classification_targets(y)
        return X, y

    def _sample_weight(self, sample_weight, X, y, incremental):
        sample_weight = super()._sample_weight(sample_weight, X, y, incremental)
        if self.class_weight is None:
            return sample_weight
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not available in partial_fit: one "
                "batch does not give the class frequencies of the data set. "
                "Pass class_weight as a dict {label: weight} instead."
            )
        class_sample_weight = follow(compute_sample_weight(self.class_weight, y), X)
        if sample_weight is not None:
            class_sample_weight = sample_weight * class_sample_weight
        # The combined weights pass the checks sample_weight passes.
        try:
            return super()._sample_weight(class_sample_weight, X, y, incremental)
        except ValueError as error:
            raise ValueError(
                f"class_weight={self.class_weight!r} gives invalid sample weights "
                f"for these targets: {error} Give every class a finite, "
                "non-negative weight, and some class present in y a positive one."
            ) from error

    def _fit_target_encoder(self, y, sample_weight, classes=None):
        binarizer = LabelBinarizer()
        if classes is not None and y.ndim == 1:
            binarizer.fit(classes)
        else:
            binarizer.fit(y)
        return binarizer

    def _encode_targets(self, binarizer, y):
        if binarizer.y_type_.startswith("multilabel"):
            if y.ndim != 2 or y.shape[1] != len(binarizer.classes_):
                raise ValueError(
                    f"y must be a multilabel indicator matrix with "
                    f"{len(binarizer.classes_)} columns, as in the first fit."
                )
            return binarizer.transform(y)
        encoded = _one_hot(binarizer, y)
        if encoded is not None:
            return encoded
        # Labels the fast encoding could not place (unseen, or not comparable
        # with the fitted classes): scikit-learn's own checks say which.
        unseen = np.setdiff1d(unique_labels(y), binarizer.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains classes {unseen.tolist()} that are not among the "
                f"classes the model was fitted with, {binarizer.classes_.tolist()}."
                " Refit without warm_start, or pass every class in `classes` "
                "on the first call to partial_fit."
            )
        return binarizer.transform(y)

    def _output_activation(self, binarizer):
        return "softmax" if binarizer.y_type_ == "multiclass" else "logistic"

    _score_name = "accuracy"

    def _encoded_score(self, binarizer, y, output, sample_weight):
        xp, _ = get_namespace(output)
        if self._output_activation(binarizer) == "softmax":
            correct = xp.argmax(output, axis=1) == xp.argmax(y, axis=1)
        else:
            correct = xp.all((output > 0.5) == (y > 0.5), axis=1)
        correct = xp.astype(correct, output.dtype)
        return float(_average(correct, weights=sample_weight, xp=xp))

    def _store_target_encoder(self, binarizer):
        self._label_binarizer = binarizer
        self.classes_ = binarizer.classes_

    def _fitted_target_encoder(self):
        return self._label_binarizer

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels (an indicator matrix for multilabel targets).

        Examples
        --------
        >>> from sklearn_backprop import BackpropClassifier
        >>> X, y = [[0.0], [1.0], [2.0], [3.0]], ["no", "no", "yes", "yes"]
        >>> BackpropClassifier(solver="lbfgs", random_state=0).fit(X, y).predict(X)
        array(['no', 'no', 'yes', 'yes'], dtype='<U3')
        """
        output = self._forward(X, "predict")
        xp, _, device = get_namespace_and_device(output)
        binarizer = self._label_binarizer
        if not _is_numpy_namespace(xp) and np.issubdtype(
            binarizer.classes_.dtype, np.number
        ):
            return _labels_on_device(binarizer, output, xp, device)
        # NumPy, or labels no other library holds (strings): on the host.
        output = to_host(output)
        if self.n_outputs_ == 1:
            output = output.ravel()
        return binarizer.inverse_transform(output)

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to one except
            for multilabel targets, where each column is one label's.

        Examples
        --------
        >>> from sklearn_backprop import BackpropClassifier
        >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
        >>> clf = BackpropClassifier(solver="lbfgs", random_state=0).fit(X, y)
        >>> clf.predict_proba(X).sum(axis=1)
        array([1., 1., 1., 1.])
        """
        return self._proba(X, "predict_proba")

    def _proba(self, X, method):
        output = self._forward(X, method)
        if self.n_outputs_ > 1:
            return output
        xp, _ = get_namespace(output)
        if len(self.classes_) == 1:
            # The one class seen in training, with certainty (a column per
            # class, as scikit-learn's classifiers).
            return xp.ones_like(output)
        return xp.concat([1 - output, output], axis=1)

    def predict_log_proba(self, X):
        """Logarithm of the probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``; ``-inf`` where a probability is 0.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_backprop import BackpropClassifier
        >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
        >>> clf = BackpropClassifier(solver="lbfgs", random_state=0).fit(X, y)
        >>> np.allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X))
        True
        """
        proba = self._proba(X, "predict_log_proba")
        xp, _ = get_namespace(proba)
        with np.errstate(divide="ignore"):
            return xp.log(proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


def _labels_on_device(binarizer, output, xp, device):
    """``binarizer.inverse_transform(output)`` computed where ``output`` is,
    for numeric classes: the most probable class (multiclass), the classes
    above one half (binary, or a multilabel indicator matrix)."""
    classes = xp.asarray(binarizer.classes_, device=device)
    if binarizer.y_type_ == "multiclass":
        return xp.take(classes, xp.argmax(output, axis=1))
    above_half = output > 0.5
    if binarizer.y_type_.startswith("multilabel"):
        return xp.astype(above_half, xp.int64)
    if classes.shape[0] == 1:
        above_half = xp.zeros_like(above_half)  # the one class seen in training
    return xp.take(classes, xp.astype(above_half[:, 0], xp.int64))


def _one_hot(binarizer, y):
    """``binarizer.transform(y)`` for binary and multiclass ``y`` whose labels
    are all among ``binarizer.classes_``, else None.

    The labels were checked when the binarizer was fitted (or by
    ``check_classification_targets`` on this call); this only places them,
    by binary search in the sorted classes, without the binarizer's second
    round of target-type checks, which costs more than a short fit's epochs.
    """
    classes = binarizer.classes_
    if y.ndim != 1 or binarizer.y_type_ not in ("binary", "multiclass"):
        return None
    if len(classes) < 2 or (binarizer.y_type_ == "binary") != (len(classes) == 2):
        return None
    try:
        positions = np.searchsorted(classes, y)
        placed = classes[np.minimum(positions, len(classes) - 1)] == y
    except TypeError:  # labels of another type than the classes
        return None
    if not (isinstance(placed, np.ndarray) and placed.all()):
        return None
    if len(classes) == 2:
        # One column, 1 for the second class, as LabelBinarizer gives.
        return (positions == 1).astype(np.int64).reshape(-1, 1)
    encoded = np.zeros((y.shape[0], len(classes)), dtype=np.int64)
    encoded[np.arange(y.shape[0]), positions] = 1
    return encoded
