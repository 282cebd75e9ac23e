"""Text that mixes words and LaTeX, split into text and math segments.

The documents' statements and our own notes write math inline without dollar signs; this
finds it, and only keeps as math what both outputs (MathML and pdflatex) can take, so a wrong
guess shows raw characters, never broken LaTeX.
"""

from __future__ import annotations

import re

_ENGLISH = re.compile(r"[A-Za-z]{2,}")
_MATH_WORDS = {"sum", "mean", "max", "min", "exp", "log", "tanh", "sqrt", "sigma", "mu", "nu"}
_SHAPE_WORD = re.compile(r"\d+x\d+")
_MATHY = re.compile(r"[\\^_=]")
_EDGE_PUNCT = ",.;:"
_UNSAFE_IN_MATH = re.compile(r"[%#&$~<>\"]|\\(?![A-Za-z,;!{}| ])|\\$")


def _is_word(token: str) -> bool:
    core = token.strip("()[],.;:'\"").removesuffix("'s")
    if token.lstrip("(").startswith("\\"):
        return False
    if _SHAPE_WORD.fullmatch(core):
        return True
    return bool(_ENGLISH.fullmatch(core)) and core.lower() not in _MATH_WORDS


def _balanced(s: str) -> bool:
    depth = {"{": 0, "(": 0}
    for c in s:
        if c in "{(":
            depth[c] += 1
        elif c in "})":
            key = "{" if c == "}" else "("
            depth[key] -= 1
            if depth[key] < 0:
                return False
    return all(v == 0 for v in depth.values())


def mixed(text: str) -> list[dict[str, str]]:
    """Split text that mixes words and LaTeX into text and math segments.

    Explicit ``$...$`` wins. Otherwise runs of non-word tokens that carry LaTeX (a backslash,
    ^, _ or =) and balance their brackets become math; everything else stays text, so a
    wrong guess shows raw characters, never broken LaTeX.
    """
    if "$" in text and text.count("$") % 2 == 0:
        parts = text.split("$")
        return [{"kind": "math" if i % 2 and _safe_math(p) else "text",
                 "value": p if i % 2 == 0 or _safe_math(p) else f"${p}$"}
                for i, p in enumerate(parts) if p]
    out: list[dict[str, str]] = []
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        span = " ".join(run)
        run.clear()
        core = span.rstrip(_EDGE_PUNCT)
        single = re.fullmatch(r"[A-Za-z]", core) is not None
        if (single or _MATHY.search(core)) and _safe_math(core):
            for k, piece in enumerate(_top_level_split(core)):
                if k:
                    _text(out, ", ")
                out.append({"kind": "math", "value": piece})
            _text(out, span[len(core):])
        else:
            _text(out, span)

    for i, token in enumerate(text.split(" ")):
        if token and not _is_word(token):
            if not run and i:
                _text(out, " ")
            run.append(token)
            continue
        flush()
        _text(out, (" " if i else "") + token)
    flush()
    return [seg for seg in out if seg["value"]]


def _safe_math(s: str) -> bool:
    """Math both outputs can take: balanced, none of TeX's text specials, MathML converts it."""
    from derive.reports.mathml import MathMLError, to_mathml

    if not _balanced(s) or _UNSAFE_IN_MATH.search(s):
        return False
    try:
        to_mathml(s)
    except MathMLError:
        return False
    return True


def _top_level_split(s: str) -> list[str]:
    """Split at ", " outside brackets: "a = f(x, y), b = 2" -> ["a = f(x, y)", "b = 2"]."""
    pieces, depth, start = [], 0, 0
    for i, c in enumerate(s):
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif depth == 0 and s.startswith(", ", i):
            pieces.append(s[start:i])
            start = i + 2
    return pieces + [s[start:]]


def _text(out: list[dict[str, str]], s: str) -> None:
    if out and out[-1]["kind"] == "text":
        out[-1]["value"] += s
    else:
        out.append({"kind": "text", "value": s})

