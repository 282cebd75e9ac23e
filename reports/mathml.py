"""LaTeX -> MathML for the HTML page, so both outputs come from one LaTeX source.

The converter is ``latex2mathml`` (pure Python; browsers render MathML natively, so the page
needs no script). Its known gaps are patched here, on the HTML side only: ``\\mathbf{1}``
comes out with ``mathvariant="bold"``, which Chromium ignores, so it becomes the bold
Unicode digit; escaped underscores inside ``\\text`` would show their backslash. A command
it does not know is left in the output as text, so that is turned into an error here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from latex2mathml.converter import convert

BOLD_ONE = "\U0001d7cf"  # MATHEMATICAL BOLD DIGIT ONE, what \mathbf{1} should look like

_BOLD_ONE_MN = re.compile(r'<mn mathvariant="bold">1</mn>')
_FENCE = '<mo stretchy="true" fence="true"'  # \left( \right): no extra space inside the fence
_TEXT_ESCAPES = re.compile(r"\\([_%&#$])")
_TEXT_ARG = re.compile(r"\\text\{([^{}]*)\}")
_LEFTOVER = re.compile(r">[^<]*\\[A-Za-z]+[^<]*<")


class MathMLError(ValueError):
    """A formula the converter cannot turn into MathML (an unknown command, say)."""


def _unescape_text(tex: str) -> str:
    r"""\text{manual\_deriv} -> \text{manual_deriv}: MathML text needs no escapes."""
    return _TEXT_ARG.sub(lambda m: r"\text{" + _TEXT_ESCAPES.sub(r"\1", m.group(1)) + "}", tex)


@lru_cache(maxsize=4096)
def to_mathml(tex: str, display: bool = False) -> str:
    """One formula as a ``<math>`` element (block when ``display``)."""
    try:
        out = convert(_unescape_text(tex), display="block" if display else "inline")
    except Exception as exc:  # noqa: BLE001 - the converter raises many types; report one
        raise MathMLError(f"cannot convert to MathML: {tex!r} ({type(exc).__name__}: {exc})") \
            from None
    left = _LEFTOVER.search(out)
    if left:
        raise MathMLError(f"cannot convert to MathML: {tex!r} (unknown command in {left.group(0)})")
    out = out.replace(_FENCE, f'{_FENCE} lspace="0" rspace="0"')
    return _BOLD_ONE_MN.sub(f"<mn>{BOLD_ONE}</mn>", out)
