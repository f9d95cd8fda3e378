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


def test_equal_times_count_the_later_row_and_other_cohorts_stay_out(app):
    from datetime import datetime, timezone

    from lti_tool.portfolio.models import OutcomeRating

    here, elsewhere = make_cohort(app, "Arlon", 1), make_cohort(app, "Tournai", 1)
    [participant], [stranger] = here.participant_ids, elsewhere.participant_ids
    same_moment = datetime(2027, 1, 10, 9, 0, tzinfo=timezone.utc)
    with app.app_context():
        session = new_session()
        # Two ratings saved within the same instant: the one written last is the current one.
        session.add(OutcomeRating(user_id=participant, outcome_id="P6.O1.A1", level=1,
                                  justification="", created_at=same_moment))
        session.flush()
        session.add(OutcomeRating(user_id=participant, outcome_id="P6.O1.A1", level=4,
                                  justification="", created_at=same_moment))
        session.commit()
        session.close()
    rate(app, stranger, "P6.O1.A1", 2)
    with app.app_context():
        session = new_session()
        matrix = progress_matrix(session, here.cohort_id, cached_programme())
        session.close()
    assert [row.participant.user_id for row in matrix.rows] == [participant]
    index = [o.id for o in matrix.objectives].index("P6.O1")
    cell = matrix.rows[0].cells[index]
    assert (cell.rated, cell.mean_level) == (1, 4.0)


def test_the_matrix_queries_do_not_grow_with_the_cohort(app):
    from sqlalchemy import event

    small, large = make_cohort(app, "Ath", 2), make_cohort(app, "Spa", 12)
    for people in (small, large):
        for user_id in people.participant_ids:
            rate(app, user_id, "P1.O1.A1", 2, 3)
            add_entry(app, user_id, "publiée", "<p>x</p>")
    counts = []
    engine = app.extensions["db_engine"]
    for people in (small, large):
        seen = []
        listener = lambda *args, **kwargs: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        with app.app_context():
            session = new_session()
            matrix = progress_matrix(session, people.cohort_id, cached_programme())
            session.close()
        event.remove(engine, "before_cursor_execute", listener)
        assert len(matrix.rows) == len(people.participant_ids)
        counts.append(len(seen))
    assert counts[0] == counts[1] <= 4
