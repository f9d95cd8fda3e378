"""The self-assessment per pillar, first rating against now, as an inline SVG bar chart.

Drawn on the server (no script): each pillar has two bars, the first rating hatched and the
current one solid, each with its value written above it, so the chart reads without colour.
The page shows the same numbers in a table.
"""
from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 24, 48
MAX_LEVEL = 4
FIRST_COLOUR, CURRENT_COLOUR, INK = "#5a3e9b", "#0b5a8a", "#1a1a1a"


@dataclass(frozen=True)
class PillarBars:
    label: str
    first: float | None
    current: float | None


def format_level(value: float | None, none_text: str, decimal_comma: bool) -> str:
    """A mean level with one decimal (a comma in French), or ``none_text`` when nothing is rated."""
    if value is None:
        return none_text
    text = f"{value:.1f}"
    return text.replace(".", ",") if decimal_comma else text


def _bar(x: float, width: float, value: float | None, value_text: str, fill: str,
         plot_height: float, label: str) -> str:
    base = TOP + plot_height
    if value is None:
        return (f'<text x="{x + width / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle" '
                f'font-size="12" fill="{INK}">{escape(value_text)}</text>')
    height = plot_height * value / MAX_LEVEL
    return (f'<rect x="{x:.1f}" y="{base - height:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'fill="{fill}" stroke="{INK}" stroke-width="1"><title>{escape(label)}</title></rect>'
            f'<text x="{x + width / 2:.1f}" y="{base - height - 4:.1f}" text-anchor="middle" '
            f'font-size="12" fill="{INK}">{escape(value_text)}</text>')


def pillar_chart(bars: list[PillarBars], *, title: str, description: str, first_label: str,
                 current_label: str, none_text: str, decimal_comma: bool,
                 chart_id: str = "pillar-chart") -> Markup:
    """The SVG markup of the chart; texts come translated from the caller."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_width / max(len(bars), 1)
    bar_width = min(28.0, group / 3)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="pillar-chart" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{chart_id}-hatch" patternUnits="userSpaceOnUse" width="6" '
        f'height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{FIRST_COLOUR}" stroke-width="3"/>'
        f'</pattern></defs>',
    ]
    for level in range(MAX_LEVEL + 1):
        y = TOP + plot_height - plot_height * level / MAX_LEVEL
        dash = "" if level == 0 else ' stroke-dasharray="3 3"'
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#767676" stroke-width="1"{dash}/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="{INK}">{level}</text>')
    for index, bar in enumerate(bars):
        centre = LEFT + group * index + group / 2
        first = format_level(bar.first, none_text, decimal_comma)
        current = format_level(bar.current, none_text, decimal_comma)
        parts.append(_bar(centre - bar_width - 2, bar_width, bar.first, first,
                          f"url(#{chart_id}-hatch)", plot_height,
                          f"{bar.label}, {first_label}: {first}"))
        parts.append(_bar(centre + 2, bar_width, bar.current, current, CURRENT_COLOUR,
                          plot_height, f"{bar.label}, {current_label}: {current}"))
        parts.append(f'<text x="{centre:.1f}" y="{TOP + plot_height + 18:.1f}" '
                     f'text-anchor="middle" font-size="13" font-weight="bold" '
                     f'fill="{INK}">{escape(bar.label)}</text>')
    legend_y = HEIGHT - 8
    parts.append(
        f'<rect x="{LEFT}" y="{legend_y - 12}" width="14" height="14" '
        f'fill="url(#{chart_id}-hatch)" stroke="{INK}"/>'
        f'<text x="{LEFT + 20}" y="{legend_y}" font-size="12" fill="{INK}">'
        f'{escape(first_label)}</text>'
        f'<rect x="{LEFT + 260}" y="{legend_y - 12}" width="14" height="14" '
        f'fill="{CURRENT_COLOUR}" stroke="{INK}"/>'
        f'<text x="{LEFT + 280}" y="{legend_y}" font-size="12" fill="{INK}">'
        f'{escape(current_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
