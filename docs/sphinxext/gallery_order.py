"""The order of the example gallery: the documents' programs first, in the
documents' order, then the other examples as a reader would want them."""

ORDER = [
    "plot_document_trilayered.py",
    "plot_document_bilayered.py",
    "plot_document_two_layer_bias.py",
    "plot_training_curves.py",
    "plot_decision_boundaries.py",
    "plot_grid_search.py",
    "plot_regression_diabetes.py",
    "plot_raw_dataframe.py",
    "plot_deploying.py",
    "plot_scaling_out.py",
]


class ExampleOrder:
    """Sort key for sphinx-gallery's ``within_subsection_order``.

    Examples listed in ``ORDER`` come first, in that order; any other example
    follows, by file name.

    Parameters
    ----------
    src_dir : str
        The gallery's source folder (sphinx-gallery passes it; unused).
    """

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        """Return the sort key of ``filename``."""
        if filename in ORDER:
            return (ORDER.index(filename), "")
        return (len(ORDER), filename)

    def __repr__(self):
        # sphinx-gallery hashes the configuration through repr(): keep it stable.
        return f"<{type(self).__name__}>"
