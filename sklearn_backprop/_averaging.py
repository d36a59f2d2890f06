"""Networks averaged into one network: what ``n_networks`` fits.

A fit with ``n_networks=K`` trains K networks of the same shape from
different random draws (weights and batch order) and keeps one network: the
K networks' hidden units side by side, with no weight between two networks'
units, and an output layer that takes the mean of the K networks' output-layer
inputs. Its predictions are those of the K networks averaged before the output
unit: their mean for a regressor; for a classifier the normalised geometric
mean of their probabilities (the softmax, or the logistic, of their mean
logits). As one ordinary network it predicts, exports and persists as any
other; training it further (a warm start, ``partial_fit``) trains all of it.
"""

import numpy as np
import scipy.linalg

from ._training import History, Listener


class StopReason(Listener):
    """Remembers why a network's training stopped (``Stop.reason``): a fit
    that was interrupted (Ctrl-C) trains no further network."""

    reason = None

    def on_train_end(self, history, stop):
        self.reason = stop.reason


def average_weights(coefs, intercepts):
    """The weights of one network that averages several.

    Parameters
    ----------
    coefs, intercepts : list of list of ndarray
        Each network's ``coefs_`` and ``intercepts_`` (host arrays, the
        networks of one shape).

    Returns
    -------
    coefs, intercepts : list of ndarray
        The averaging network's: hidden layers of K times the units (the
        first layer's weights side by side, the deeper ones block-diagonal),
        the output layer's weights stacked and divided by K and its bias the
        mean of the networks' biases. Without a hidden layer, the mean
        weights.
    """
    k = len(coefs)
    if len(coefs[0]) == 1:
        return [np.mean([c[0] for c in coefs], axis=0)], [
            np.mean([b[0] for b in intercepts], axis=0)
        ]
    averaged = [np.hstack([c[0] for c in coefs])]
    for layer in range(1, len(coefs[0]) - 1):
        averaged.append(scipy.linalg.block_diag(*[c[layer] for c in coefs]))
    averaged.append(np.vstack([c[-1] for c in coefs]) / k)
    biases = [
        np.concatenate([b[layer] for b in intercepts])
        for layer in range(len(intercepts[0]) - 1)
    ]
    biases.append(np.mean([b[-1] for b in intercepts], axis=0))
    return averaged, biases


def average_histories(histories):
    """One fit's record of several networks trained in turn, each from a new
    :class:`~sklearn_backprop._training.History`: every curve the networks'
    mean, epoch by epoch, a network that stopped earlier counting with its
    last value; ``n_iter`` the most epochs a network ran, ``t`` the samples
    all of them saw, and the best loss and validation score those of the
    mean curves."""
    loss_curve = _mean_curve([h.loss_curve for h in histories])
    history = History(
        loss_curve=loss_curve,
        best_loss=min(loss_curve, default=np.inf),
        n_iter=max(h.n_iter for h in histories),
        t=sum(h.t for h in histories),
    )
    if histories[0].validation_scores is not None:
        scores = _mean_curve([h.validation_scores for h in histories])
        history.validation_scores = scores
        history.validation_loss_curve = _mean_curve(
            [h.validation_loss_curve for h in histories]
        )
        history.validation_epochs = list(range(1, len(scores) + 1))
        history.best_validation_score = max(scores, default=None)
    return history


def _mean_curve(curves):
    # A network interrupted in its first epoch has no value to count.
    curves = [curve for curve in curves if curve]
    length = max((len(curve) for curve in curves), default=0)
    return [
        float(np.mean([curve[min(epoch, len(curve) - 1)] for curve in curves]))
        for epoch in range(length)
    ]
