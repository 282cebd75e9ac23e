"""What a reader needs before the first formula: the notation, and which document is which.

The documents are files with hash-like names (000_c5d3501ff112bbd5.txt); a reader knows them
by title and kind, so every citation in the report names them that way (the file name stays
in the list of documents, to find the text).
"""

from __future__ import annotations

import re

# Each symbol as LaTeX, and what it means, in the order a reader meets them.
LEGEND: tuple[tuple[str, str], ...] = (
    (r"\odot", "elementwise (Hadamard) product of two arrays of the same shape; numpy's *"),
    (r"A^{T}", "transpose; numpy's A.T"),
    (r"\mathbf{1}", "an array of ones (shaped like the array it stands beside): the gradient "
                    "of a sum with respect to each summed entry"),
    (r"n", "the number of rows of the batch, X.shape[0]: a mean over the batch divides by n"),
    (r"\operatorname{sum}_{\text{rows}}", "sum over the rows (numpy's .sum(axis=0, "
                                          "keepdims=True)): undoes the broadcast of a bias row "
                                          "over the batch"),
    (r"H(x)", "the unit step (Heaviside), 1 for x > 0 and 0 for x < 0: the derivative of "
              "max(0, x); its value at 0 is a convention (relu'(0) in {0, 1/2, 1})"),
    (r"\sigma'(a)", r"the derivative of the sigmoid, $\sigma(a)\,(1 - \sigma(a))$"),
    (r"\underset{(3 \times 2)}{A}", "the shape of a factor, written under it, as the slides do"),
    (r"\frac{\partial L}{\partial W}", "layout convention: a gradient has the shape of its "
                                       "variable (dLdW is shaped like W, as in the documents' "
                                       "numpy); a chain-rule factor is the matrix the upstream "
                                       "gradient is multiplied by, not a Jacobian"),
)

# file prefix -> (kind, title, date or ""), from ../shared/seeds/README.md
DOCUMENTS: dict[str, tuple[str, str, str]] = {
    "000": ("lecture notes", "9.1 Deep Learning - Neural Network", "26 Oct 2020"),
    "001": ("lecture notes, revised", "9.1 Deep Learning - Neural Network", "29 Oct 2020"),
    "002": ("slides", "Introduction to Artificial Neural Networks 1", ""),
    "003": ("blog post", "How to implement NN from scratch", ""),
}

FILES = {"000": "000_c5d3501ff112bbd5.txt", "001": "001_18c9884adda04527.txt",
         "002": "002_04ad88c71b3d2d48.txt", "003": "003_dbb8e357b1da829d.txt"}

_FILE = re.compile(r"\b(00[0-3])_[0-9a-f]{16}\.txt\b")


def document_title(prefix: str) -> str:
    """'000' -> 'lecture notes "9.1 Deep Learning - Neural Network" (26 Oct 2020)'."""
    kind, title, date = DOCUMENTS[prefix]
    return f'{kind} "{title}"' + (f" ({date})" if date else "")


def cite(source: str) -> str:
    """A source with each document's file name replaced by its kind and title."""
    return _FILE.sub(lambda m: document_title(m.group(1)), source)


def documents() -> list[dict[str, str]]:
    """The four documents, for the list at the top of the report."""
    return [{"kind": kind, "title": title, "date": date, "file": FILES[k]}
            for k, (kind, title, date) in DOCUMENTS.items()]
