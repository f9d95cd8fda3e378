"""The progress matrix: coverage and mean current self-rating per participant and objective."""
from __future__ import annotations

import re

from lti_tool.accounts.roles import TEACHER
from lti_tool.db import new_session
from lti_tool.progress.services import progress_matrix
from programme import cached_programme
from tests.reports.cohort_data import add_entry, launch_token, make_cohort, rate
from tests.reports.pages import get


def test_cells_count_current_ratings_only(app):
    people = make_cohort(app, "Louvain", participants=2)
    first, second = people.participant_ids
    # P1.O2 has 5 outcomes: two rated, whose current levels are 4 and 1 (older ones ignored).
    rate(app, first, "P1.O2.A1", 1, 2, 4)
    rate(app, first, "P1.O2.A2", 3, 1)
    rate(app, first, "CASE.A1", 4)
    add_entry(app, first, "publiée", "<p>x</p>")
    add_entry(app, first, "brouillon", "<p>x</p>", published=False)
    with app.app_context():
        session = new_session()
        matrix = progress_matrix(session, people.cohort_id, cached_programme())
        session.close()
    assert len(matrix.objectives) == 22
    rows = {row.participant.user_id: row for row in matrix.rows}
    assert set(rows) == {first, second}
    index = [o.id for o in matrix.objectives].index("P1.O2")
    cell = rows[first].cells[index]
    assert (cell.rated, cell.outcome_count, cell.mean_level) == (2, 5, 2.5)
    assert cell.coverage_percent == 40 and cell.shade == 2
    assert rows[first].rated_outcomes == 2  # the case study is not an objective
    assert rows[first].published_entries == 1
    assert all(c.rated == 0 and c.mean_level is None for c in rows[second].cells)


def test_the_matrix_page_is_an_accessible_table_with_numbers_as_text(app, client):
    people = make_cohort(app, "Bruxelles", participants=1)
    [participant] = people.participant_ids
    rate(app, participant, "P1.O1.A1", 3)
    token = launch_token(app, people, people.teacher_id, TEACHER)
    html = get(client, f"/progress/{people.cohort_id}", token).get_data(as_text=True)
    assert "<caption" in html
    assert len(re.findall(r'<th scope="col" class="objective">', html)) == 22
    assert 'scope="row"' in html
    # P1.O1 has 2 outcomes: one rated at 3 -> 50 % and mean 3,0 (French decimal comma).
    assert re.search(r'class="cell shade-3">50&nbsp;%<br>moy. 3,0', html), html[:3000]
    assert "style=" not in html and "<script>" not in html
