"""The project's exceptions: one small hierarchy.

The CLI turns each into one line on stderr and exit status 2.
"""

from __future__ import annotations


class DeriveError(Exception):
    """Base class: anything the user can fix (bad input, unknown case, unwritable folder)."""


class UnknownCaseError(DeriveError):
    """A case name that is not in the registry; the message lists the known ones."""


class ShapeError(DeriveError):
    """Shapes that do not fit an operation; messages give expected then actual."""


class TraceError(DeriveError):
    """The tracer met a numpy call or a construct it cannot map; the message names it, and
    ``where`` says where in the user's code ("model.py:42: out[n, f] = np.pad(x)")."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.where = where

    def located(self) -> str:
        """'model.py:42: y = np.sort(x) (numpy.sort)', or the message when no place is known."""
        return f"{self.where} ({self}" + ")" if self.where else str(self)


class UserCodeError(DeriveError):
    """User code raised; the message gives the exception type, its text and file:line."""


class InputError(DeriveError):
    """Bad input data: not finite, wrong type, malformed --shape, missing file or function."""


class OutputError(DeriveError):
    """An output folder that cannot be written, or that holds files we must not overwrite."""


class ProofTimeout(DeriveError):
    """A symbolic simplification did not finish within its time budget."""


class DeriveWarning(UserWarning):
    """A verdict that holds with less evidence than usual: judged by finite differences alone
    (numeric only), or a float16/float32 gradient judged at its own precision."""
