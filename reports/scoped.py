"""Page styles scoped to one element, for results shown inside a notebook.

The report's stylesheet is written for a page of its own (``:root``, ``body``, ``h1``,
``table`` ...). Shown in Jupyter, those rules would restyle the whole notebook, so a result's
``_repr_html_`` carries the same rules with every selector placed under one class: ``body``,
``html``, ``:root`` and ``*`` become the scope element itself, everything else a descendant.
"""

from __future__ import annotations

import re

from markupsafe import Markup

# The selectors that mean "the page": in a fragment they mean the fragment's own element.
_PAGE = {":root", "html", "body"}

# Of the page body's declarations, a fragment keeps its type and colours (not its width,
# margins and padding: the notebook lays out its outputs).
_BODY_KEEP = ("color", "font", "background")


def _scope_selector(selector: str, scope: str) -> str:
    s = selector.strip()
    if not s:
        return s
    head, _, rest = s.partition(" ")
    if head in _PAGE or s == "*":
        return f"{scope} {rest}".strip() if rest and head in _PAGE else \
            (f"{scope}, {scope} *" if s == "*" else scope)
    if head in ("html,", "body,"):
        return scope
    return f"{scope} {s}"


def _scope_rules(css: str, scope: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(css):
        brace = css.find("{", i)
        if brace < 0:
            out.append(css[i:])
            break
        head = css[i:brace]
        depth, j = 1, brace + 1
        while j < len(css) and depth:
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        body = css[brace + 1:j - 1]
        if head.strip().startswith("@media"):
            out.append(f"{head.strip()} {{\n{_scope_rules(body, scope)}\n}}\n")
        elif head.strip().startswith("@"):
            out.append(f"{head.strip()} {{{body}}}\n")
        elif head.strip() == "html":
            pass  # the page's margin colour: a notebook has its own
        else:
            if head.strip() == "body":  # the page's box: keep its type and colours only
                body = "; ".join(d.strip() for d in body.split(";")
                                 if d.strip().startswith(_BODY_KEEP)) + ";"
            selectors = ", ".join(_scope_selector(x, scope) for x in head.split(","))
            out.append(f"{selectors} {{{body}}}\n")
        i = j
    return "".join(out)


def scope_css(css: str, scope: str) -> str:
    """Every rule of ``css`` applied only inside ``scope`` (a class selector like .derive-case)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return _scope_rules(css, scope)


def scoped_style(page_css: str, scope: str) -> Markup:
    """The page's stylesheet (the text inside its <style>) as a <style> element for ``scope``."""
    return Markup(f"<style>\n{scope_css(page_css, scope)}</style>")
