"""Small HTML5 builder for the cartridge pages: every text is escaped, nothing external is loaded.

Moodle keeps only the ``<body>`` of an imported page, so a page must make sense without its head:
no stylesheet, no script, a few inline styles at most.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

TABLE_STYLE = "border-collapse:collapse"
CELL_STYLE = "border:1px solid #888;padding:0.3em;vertical-align:top;text-align:left"


def text(value: object) -> str:
    """Escape any value for HTML text content (never used inside attributes)."""
    return escape(str(value), quote=False)


def heading(level: int, content: str) -> str:
    """``<hN>`` with escaped content."""
    return f"<h{level}>{text(content)}</h{level}>"


def paragraphs(content: str) -> str:
    """One ``<p>`` per blank-line separated paragraph of ``content`` (nothing for empty text)."""
    parts = [part.strip() for part in _PARAGRAPH_BREAK.split(content or "")]
    return "".join(f"<p>{text(' '.join(part.split()))}</p>" for part in parts if part)


def paragraph_html(inner_html: str) -> str:
    """A paragraph around already escaped HTML."""
    return f"<p>{inner_html}</p>"


def item_list(items_html: Iterable[str], ordered: bool = False) -> str:
    """A list of already escaped HTML fragments."""
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items_html) + f"</{tag}>"


def table(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A bordered table; ``header`` and ``caption`` are plain text, ``rows`` hold escaped HTML."""
    head = "".join(f'<th scope="col" style="{CELL_STYLE}">{text(cell)}</th>' for cell in header)
    body = "".join(
        "<tr>"
        + f'<th scope="row" style="{CELL_STYLE}">{row[0]}</th>'
        + "".join(f'<td style="{CELL_STYLE}">{cell}</td>' for cell in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f'<table style="{TABLE_STYLE}"><caption>{text(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def document(title: str, body_html: str) -> str:
    """A complete, self-contained French HTML5 document."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(title)}</title>\n"
        "</head>\n"
        f"<body>\n{body_html}\n</body>\n"
        "</html>\n"
    )
