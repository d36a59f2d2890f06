"""LossCurveDisplay: the training curves of a fitted network, drawn by matplotlib.

matplotlib is optional: it is imported inside :meth:`LossCurveDisplay.plot`
only, so importing the package never needs it.
"""

import numpy as np
from sklearn.model_selection._search import BaseSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import check_is_fitted


class LossCurveDisplay:
    """Training loss, validation loss and validation score per epoch.

    Use :meth:`from_estimator` to draw the curves of a fitted estimator; the
    constructor takes the curves themselves, and :meth:`plot` draws them. The
    losses share the left axis; the validation scores, when there are any, get
    a secondary axis on the right (they are accuracies or R^2, not losses).

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss of each epoch, as in the fitted attribute
        ``loss_curve_``.

    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Loss of the validation set after each epoch (``validation_loss_curve_``),
        or None when there was no validation set.

    validation_scores : array-like of shape (n_epochs,), default=None
        Score of the validation set after each epoch (``validation_scores_``),
        or None when there was no validation set.

    validation_epochs : array-like of shape (n_validation,), default=None
        The epoch (counted from 1, as ``loss_curve``) after which each
        validation loss and score was measured (``validation_epochs_``): a
        validation set may join a warm start or follow ``partial_fit`` calls,
        and is then drawn where it was measured. None: after epochs 1, 2, ...

    estimator_name : str, default=None
        Name put in front of the legend labels. None (or ``""``) puts no
        name.

    best_epoch : int, default=None
        The epoch (counted from 1) whose weights the estimator kept, under
        early stopping: marked by a vertical line. None marks no epoch.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the losses.

    score_ax_ : matplotlib Axes or None
        Secondary axes with the validation scores, sharing the epoch axis
        with ``ax_``: the ``score_ax`` given to :meth:`plot`, or a twin of
        ``ax_`` made for the scores; None when there are neither.

    figure_ : matplotlib Figure
        Figure containing the curves.

    lines_ : list of matplotlib Line2D
        The lines drawn, in order: training loss, then validation loss and
        validation score when present. They share one colour and differ in
        line style (solid, dashed, dotted).

    best_epoch_line_ : matplotlib Line2D or None
        The vertical line at ``best_epoch`` (dash-dotted, in the same
        colour), or None when ``best_epoch`` is None.

    See Also
    --------
    LossCurveDisplay.from_estimator : Draw the curves of a fitted estimator.
    sklearn.model_selection.LearningCurveDisplay : Scores against the number of
        training samples.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_backprop import LossCurveDisplay
    >>> display = LossCurveDisplay(
    ...     [0.7, 0.4, 0.3, 0.25],
    ...     validation_loss_curve=[0.72, 0.5, 0.42, 0.41],
    ...     validation_scores=[0.5, 0.75, 0.8, 0.8],
    ...     estimator_name="my network",
    ... )
    >>> display = display.plot()
    >>> for line in display.lines_:
    ...     print(line.get_label())
    my network: training loss
    my network: validation loss
    my network: validation score
    """

    def __init__(
        self,
        loss_curve,
        *,
        validation_loss_curve=None,
        validation_scores=None,
        validation_epochs=None,
        estimator_name=None,
        best_epoch=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.validation_epochs = validation_epochs
        self.estimator_name = estimator_name
        self.best_epoch = best_epoch

    def plot(
        self,
        ax=None,
        *,
        name=None,
        score_ax=None,
        loss_kw=None,
        validation_loss_kw=None,
        validation_score_kw=None,
    ):
        """Draw the curves.

        The training loss is a solid line, the validation loss a dashed one
        (both on ``ax``), the validation score a dotted one on a secondary
        axis; all three in the colour the axes gives the next line, as is a
        dash-dotted vertical line at ``best_epoch``. Epochs are ticked at
        whole numbers. One legend, below the axes where it covers no curve
        (nor a title), lists the lines of both axes.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes for the losses. None makes a new figure and axes.

        name : str, default=None
            Name put in front of the legend labels; None uses
            ``estimator_name``, ``""`` puts no name.

        score_ax : matplotlib Axes, default=None
            Axes for the validation scores. None makes a twin of ``ax`` (when
            there are validation scores). Pass the ``score_ax_`` of an earlier
            display to draw several estimators' scores on the same axes.

        loss_kw : dict, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.plot` of the
            training loss.

        validation_loss_kw : dict, default=None
            Keyword arguments for the plot of the validation loss.

        validation_score_kw : dict, default=None
            Keyword arguments for the plot of the validation scores.

        Returns
        -------
        display : LossCurveDisplay
            This object, with ``ax_``, ``score_ax_``, ``figure_``,
            ``lines_`` and ``best_epoch_line_`` set.

        See Also
        --------
        LossCurveDisplay.from_estimator : Draw the curves of a fitted estimator.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> from sklearn_backprop import LossCurveDisplay
        >>> fig, ax = plt.subplots()
        >>> first = LossCurveDisplay([0.5, 0.3, 0.2]).plot(ax, name="sgd")
        >>> second = LossCurveDisplay([0.5, 0.2, 0.1]).plot(ax, name="adam")
        >>> len(ax.get_lines())
        2
        """
        check_matplotlib_support(f"{self.__class__.__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        if ax is None:
            # Constrained layout keeps the legend below the axes in the figure.
            _, ax = plt.subplots(layout="constrained")
        name = self.estimator_name if name is None else name
        prefix = f"{name}: " if name else ""

        # One colour per estimator, one line style per curve: several
        # estimators drawn on the same axes stay apart.
        lines = ax.plot(
            *_by_epoch(self.loss_curve),
            **{"label": f"{prefix}training loss", **(loss_kw or {})},
        )
        color = lines[0].get_color()
        if self.validation_loss_curve is not None:
            lines += ax.plot(
                *_by_epoch(self.validation_loss_curve, self.validation_epochs),
                **{
                    "label": f"{prefix}validation loss",
                    "color": color,
                    "linestyle": "--",
                    **(validation_loss_kw or {}),
                },
            )
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Loss")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        best_epoch_line = None
        if self.best_epoch is not None:
            best_epoch_line = ax.axvline(
                self.best_epoch,
                color=color,
                linestyle="-.",
                linewidth=1,
                label=f"{prefix}kept epoch ({self.best_epoch})",
            )

        if self.validation_scores is not None:
            if score_ax is None:
                score_ax = ax.twinx()
            lines += score_ax.plot(
                *_by_epoch(self.validation_scores, self.validation_epochs),
                **{
                    "label": f"{prefix}validation score",
                    "color": color,
                    "linestyle": ":",
                    **(validation_score_kw or {}),
                },
            )
            score_ax.set_ylabel("Validation score")

        _draw_legend(ax, score_ax)
        self.ax_ = ax
        self.score_ax_ = score_ax
        self.figure_ = ax.figure
        self.lines_ = lines
        self.best_epoch_line_ = best_epoch_line
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, **kwargs):
        """Draw the training curves of a fitted estimator.

        Reads the curves the estimator recorded while fitting and draws them
        with :meth:`plot`; nothing is refitted.

        Parameters
        ----------
        estimator : estimator, Pipeline or fitted search
            A fitted estimator with the attribute ``loss_curve_``
            (:class:`BackpropClassifier`, :class:`BackpropRegressor`, or
            scikit-learn's MLPs); for a :class:`~sklearn.pipeline.Pipeline`,
            its last step is used, and for a fitted search
            (:class:`~sklearn.model_selection.GridSearchCV`,
            :class:`~sklearn.model_selection.RandomizedSearchCV`, ...), its
            ``best_estimator_``, a pipeline's last step again.
            ``validation_loss_curve_`` and ``validation_scores_`` are drawn
            when present and not None (with ``early_stopping=True``, or
            ``X_val`` and ``y_val`` given to ``fit``); with
            ``early_stopping=True``, the epoch whose weights were kept (the
            first with ``best_validation_score_``) is marked.

        ax : matplotlib Axes, default=None
            Axes for the losses. None makes a new figure and axes.

        name : str, default=None
            Name put in front of the legend labels. None uses the class name
            of the estimator (of the last step of a pipeline); ``""`` puts no
            name.

        **kwargs : dict
            Further keyword arguments of :meth:`plot` (``score_ax``,
            ``loss_kw``, ``validation_loss_kw``, ``validation_score_kw``).

        Returns
        -------
        display : LossCurveDisplay
            The display, with ``ax_``, ``score_ax_``, ``figure_`` and
            ``lines_`` set.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator (or search) is not fitted.
        ValueError
            If the search was fitted with ``refit=False``: it kept no
            estimator to draw.
        AttributeError
            If the fitted estimator records no ``loss_curve_``.

        See Also
        --------
        LossCurveDisplay.plot : Draw curves given as arrays.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.pipeline import make_pipeline
        >>> from sklearn.preprocessing import StandardScaler
        >>> from sklearn_backprop import BackpropClassifier, LossCurveDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> model = make_pipeline(
        ...     StandardScaler(),
        ...     BackpropClassifier(early_stopping=True, random_state=0),
        ... ).fit(X, y)
        >>> display = LossCurveDisplay.from_estimator(model)
        >>> for line in display.lines_:
        ...     print(line.get_label())
        BackpropClassifier: training loss
        BackpropClassifier: validation loss
        BackpropClassifier: validation score
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        final = _final_estimator(estimator)
        check_is_fitted(final)
        if not hasattr(final, "loss_curve_"):
            raise AttributeError(
                f"{cls.__name__} needs an estimator that records its training "
                f"loss in loss_curve_ (such as BackpropClassifier or "
                f"BackpropRegressor); {type(final).__name__} has no loss_curve_."
            )
        display = cls(
            final.loss_curve_,
            validation_loss_curve=getattr(final, "validation_loss_curve_", None),
            validation_scores=getattr(final, "validation_scores_", None),
            validation_epochs=getattr(final, "validation_epochs_", None),
            estimator_name=type(final).__name__,
            best_epoch=_kept_epoch(final),
        )
        return display.plot(ax, name=name, **kwargs)


def _by_epoch(curve, epochs=None):
    """Epoch numbers (from 1: the first point is after one epoch; else
    ``epochs``, those of each value) and values."""
    values = np.asarray(curve, dtype=float)
    if epochs is None:
        return np.arange(1, values.shape[0] + 1), values
    epochs = np.asarray(epochs)
    if epochs.shape != values.shape:
        raise ValueError(
            f"validation_epochs has {epochs.shape[0]} entries but the validation "
            f"curves have {values.shape[0]}: give the epoch of each validation "
            "measurement (the estimator's validation_epochs_)."
        )
    return epochs, values


def _draw_legend(ax, score_ax):
    """One legend for the lines of both axes, on the top one (the twin is
    drawn over ``ax``), replacing any legend an earlier display drew.

    Below the axes and their epoch label, outside them: matplotlib's
    ``loc="best"`` avoids the lines of the legend's own axes only, no place
    inside is sure to be free of curves, and above the axes a title would
    cover it.
    """
    from matplotlib.transforms import offset_copy

    axes = [ax] if score_ax is None else [ax, score_ax]
    handles = [
        line
        for each in axes
        for line in each.get_lines()
        if not line.get_label().startswith("_")
    ]
    for each in axes:
        if each.get_legend() is not None:
            each.get_legend().remove()
    below_label = offset_copy(
        ax.transAxes, fig=ax.figure, y=-_epoch_label_depth(), units="points"
    )
    axes[-1].legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0),
        bbox_transform=below_label,
        # Two columns where they fit the width of a default figure.
        ncol=2 if max(len(line.get_label()) for line in handles) <= 28 else 1,
        borderaxespad=0,
        frameon=False,
    )


def _epoch_label_depth():
    """Points from the bottom of the axes to below the x tick labels and the
    x label, as the current style draws them (text lines 1.2 font sizes)."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    def line(size):
        return 1.2 * FontProperties(size=size).get_size_in_points()

    ticks = max(rcParams["xtick.major.size"], 0) + rcParams["xtick.major.pad"]
    return (
        ticks
        + line(rcParams["xtick.labelsize"])
        + rcParams["axes.labelpad"]
        + line(rcParams["axes.labelsize"])
        + 2
    )


def _final_estimator(estimator):
    """The estimator whose curves are drawn: the refitted best estimator of a
    search, the last step of a pipeline, in any nesting."""
    while True:
        if hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        elif isinstance(estimator, BaseSearchCV):
            check_is_fitted(estimator)
            raise ValueError(
                f"LossCurveDisplay.from_estimator draws the refitted best "
                f"estimator of a search, but this {type(estimator).__name__} was "
                f"fitted with refit=False and kept none. Fit it with refit=True, "
                f"or fit an estimator with its best_params_ and pass that."
            )
        elif isinstance(estimator, Pipeline):
            estimator = estimator[-1]
        else:
            return estimator


def _kept_epoch(estimator):
    """The epoch (from 1) whose weights early stopping kept, or None.

    Early stopping keeps the weights of the first epoch that reached
    ``best_validation_score_`` (a score only counts as a new best when it is
    higher); without early stopping the last epoch's weights are kept.
    """
    scores = getattr(estimator, "validation_scores_", None)
    best = getattr(estimator, "best_validation_score_", None)
    # Ours record what ``early_stopping="auto"`` resolved to; MLP's is a bool.
    kept_best = getattr(
        estimator, "_kept_best_epoch", getattr(estimator, "early_stopping", False)
    )
    if not kept_best or not scores or best is None:
        return None
    reached = np.flatnonzero(np.asarray(scores, dtype=float) == best)
    if not reached.size:
        return None
    # The epoch of each validation measurement, when the estimator records
    # them (a validation set may have joined a warm start), else 1, 2, ...
    epochs = getattr(estimator, "validation_epochs_", None)
    return int(reached[0]) + 1 if epochs is None else int(epochs[reached[0]])
