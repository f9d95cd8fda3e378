"""A submitted report as a file: a self-contained HTML page (inline CSS, nothing fetched) or a
PDF made by WeasyPrint from that same page. Both are rendered from the frozen snapshot only."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import render_template
from flask_babel import get_locale

# The certificate is taught in Belgium: dates are shown in Brussels time.
DISPLAY_TIMEZONE = ZoneInfo("Europe/Brussels")


def local_datetime(value: datetime | str | None, with_time: bool = True) -> str:
    """A UTC datetime (or its ISO text, as in snapshots) in Brussels time and the page's
    language, e.g. ``15 juin 2027 à 23:59``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    pattern = "d MMMM y HH:mm" if with_time else "d MMMM y"
    return babel_format_datetime(value, format=pattern, tzinfo=DISPLAY_TIMEZONE,
                                 locale=str(get_locale() or "fr"))


def export_filename(snapshot: dict[str, Any], extension: str) -> str:
    """``rapport-reflexif-amelie-dubois-v2.pdf``: ASCII, no spaces, safe in a header."""
    name = unicodedata.normalize("NFKD", snapshot["participant"]["name"])
    slug = re.sub(r"[^a-z0-9]+", "-", name.encode("ascii", "ignore").decode().lower()).strip("-")
    return f"rapport-reflexif-{slug or 'participant'}-v{snapshot.get('version', 1)}.{extension}"


def report_html_document(snapshot: dict[str, Any]) -> str:
    """The report as one HTML file that needs nothing else (CSS inside, no link, no script)."""
    return render_template("reports/export.html", report=snapshot,
                           lang=str(get_locale() or "fr"))


def _refuse_every_fetch(url: str, *args, **kwargs):
    # A report holds only its own text: nothing is fetched while printing (no SSRF, no leaks).
    raise ValueError(f"external resource refused in a report: {url[:100]}")


def report_pdf(snapshot: dict[str, Any]) -> bytes:
    """The report as a PDF (WeasyPrint, Debian's fonts)."""
    from weasyprint import HTML

    return HTML(string=report_html_document(snapshot),
                url_fetcher=_refuse_every_fetch).write_pdf()


def export_response(snapshot: dict[str, Any], file_format: str):
    """A download of the report (``pdf`` or ``html``), never shown inside the tool's frame."""
    from flask import Response

    if file_format == "pdf":
        body, mimetype = report_pdf(snapshot), "application/pdf"
    else:
        body, mimetype = report_html_document(snapshot), "text/html; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export_filename(snapshot, file_format)}"')
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
