"""``python -m sklearn_backprop``: the demo the README's first command runs."""

import warnings

from sklearn_backprop.__main__ import DOCUMENT_OUTPUT, main


def test_demo_reproduces_the_document_and_says_where_to_go_next(capsys):
    with warnings.catch_warnings():
        # The demo's output is all a newcomer should see.
        warnings.simplefilter("error")
        main()
    out = capsys.readouterr().out
    xor, classifier, where_next = out.split("\n\n")
    assert "Backpropagation in 11 Lines" in xor
    document, ours = (line.split(":", 1)[1] for line in xor.splitlines()[3:5])
    assert document.strip() == ours.strip()  # 8 decimals, as the document prints
    assert str(DOCUMENT_OUTPUT[0]) in ours
    assert "StandardScaler" in classifier and "test accuracy" in classifier
    assert "make -C docs html" in where_next and "examples/" in where_next
