"""Grades reach each participant's own platform, in the right line item (claim, found, created)."""
from __future__ import annotations

import pytest

from lti_tool.grades.models import NOT_GRADABLE, SENT, SUPERSEDED
from tests.grades.grading import (all_rows, build_world, enqueue, item_for, outbox, posts_for,
                                  sync)


@pytest.fixture
def world(app, driver, site_a, site_b):
    return build_world(app, driver, site_a, site_b)


def test_each_grade_lands_in_the_gradebook_of_the_participants_own_platform(
        app, world, site_a, site_b):
    # User "2" exists on both sites as two different people: each gets only their own grade.
    row_a = enqueue(app, world.user("a", "2"), "collective-report", "15.5", "Good analysis")
    row_b = enqueue(app, world.user("b", "2"), "collective-report", "12")

    report = sync(app)

    assert (report.claimed, report.sent) == (2, 2)
    item_a, item_b = item_for(site_a, "collective-report"), item_for(site_b, "collective-report")
    assert item_a["scores"]["2"]["scoreGiven"] == 15.5
    assert item_a["scores"]["2"]["comment"] == "Good analysis"
    assert item_a["scores"]["2"]["gradingProgress"] == "FullyGraded"
    assert item_a["scores"]["2"]["activityProgress"] == "Completed"
    assert item_b["scores"]["2"]["scoreGiven"] == 12
    assert set(item_a["scores"]) == {"2"} and set(item_b["scores"]) == {"2"}
    assert outbox(app, row_a).status == SENT and outbox(app, row_b).status == SENT
    assert outbox(app, row_a).sent_at is not None


def test_the_score_timestamp_is_the_outbox_timestamp_in_whole_seconds(app, world, site_a):
    row_id = enqueue(app, world.user("a", "3"), "collective-report", 11)
    sync(app)
    sent = item_for(site_a, "collective-report")["scores"]["3"]["timestamp"]
    row = outbox(app, row_id)
    assert row.created_at.microsecond == 0
    assert sent == row.created_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def test_the_line_item_of_the_launch_claim_is_used_without_searching(app, world, site_a):
    enqueue(app, world.user("a", "2"), "collective-report", 14)
    enqueue(app, world.user("a", "3"), "collective-report", 9)

    report = sync(app)

    item = item_for(site_a, "collective-report")
    assert all(outbox(app, r.id).lineitem_url == item["url"] for r in all_rows(app))
    assert item["resource_link_id"] == "112" and not item["created_by_tool"]
    # One token for both scores, and the two score posts: no line item search.
    assert site_a.tokens_issued == 1
    assert report.requests == 3


def test_the_line_item_is_found_by_resource_link_when_the_link_has_several(
        app, driver, world, site_a):
    # A second grade item on the reflective-report link: Moodle then sends no lineitem claim.
    site_a.create_lineitem("12", {"label": "Bonus", "scoreMaximum": 5, "resourceLinkId": "113",
                                  "resourceId": "bonus"})
    result = driver.launch(site_a, "2", "113")
    assert result.status == 200
    assert "lineitem" not in site_a.id_tokens_issued[-1][
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]

    row_id = enqueue(app, world.user("a", "2"), "reflective-report", 16)
    sync(app)

    item = item_for(site_a, "reflective-report")
    assert item["resource_link_id"] == "113" and not item["created_by_tool"]
    assert item["scores"]["2"]["scoreGiven"] == 16
    assert item_for(site_a, "bonus")["scores"] == {}
    assert outbox(app, row_id).lineitem_url == item["url"]


def test_the_line_item_is_found_by_resource_id_when_no_launch_named_the_link(
        app, world, site_b):
    # Nobody launched univ-b's reflective-report link: the tool knows no resource link for it.
    enqueue(app, world.user("b", "3"), "reflective-report", 13)
    sync(app)
    item = item_for(site_b, "reflective-report")
    assert item["scores"]["3"]["scoreGiven"] == 13 and not item["created_by_tool"]


def test_the_line_item_is_created_for_a_link_imported_from_the_cartridge(
        app, driver, world, site_a):
    # The oral exam link came from the cartridge: no grade item until the tool creates one.
    assert not [i for i in site_a.gradebook().values() if i["resource_id"] == "oral-exam"]
    assert driver.launch(site_a, "2", "114").status == 200
    enqueue(app, world.user("a", "2"), "oral-exam", 17)
    enqueue(app, world.user("a", "3"), "oral-exam", 8)

    sync(app)

    item = item_for(site_a, "oral-exam")
    assert item["created_by_tool"] and item["resource_link_id"] == "114"
    assert item["tag"] == "assessment" and item["score_maximum"] == 20
    assert item["label"] == "Épreuve orale"
    assert {u: s["scoreGiven"] for u, s in item["scores"].items()} == {"2": 17, "3": 8}
    # Later launches carry an empty lineitem; a later grade still finds the same item.
    assert driver.launch(site_a, "3", "114").status == 200
    enqueue(app, world.user("a", "3"), "oral-exam", 10)
    sync(app)
    assert item_for(site_a, "oral-exam")["scores"]["3"]["scoreGiven"] == 10


def test_a_teacher_is_not_gradable_reported_and_never_retried(app, world, site_a):
    row_id = enqueue(app, world.user("a", "4"), "collective-report", 20)

    sync(app)
    sync(app)

    row = outbox(app, row_id)
    assert row.status == NOT_GRADABLE
    assert "gradebook role" in row.last_error
    assert len(posts_for(site_a, "4")) == 1
    assert posts_for(site_a, "4")[0]["status"] == 400


def test_a_newer_publication_supersedes_a_waiting_one_and_only_it_is_sent(app, world, site_a):
    first = enqueue(app, world.user("a", "2"), "collective-report", 10)
    second = enqueue(app, world.user("a", "2"), "collective-report", 14)

    sync(app)

    assert outbox(app, first).status == SUPERSEDED
    assert outbox(app, second).status == SENT
    assert outbox(app, second).created_at > outbox(app, first).created_at
    assert [p["status"] for p in posts_for(site_a, "2")] == [200]
    assert item_for(site_a, "collective-report")["scores"]["2"]["scoreGiven"] == 14


def test_a_grade_published_after_one_was_sent_replaces_it_in_the_gradebook(app, world, site_a):
    enqueue(app, world.user("a", "2"), "collective-report", 10)
    sync(app)
    # Published within the same second: the timestamp still moves one second ahead.
    later = enqueue(app, world.user("a", "2"), "collective-report", 12.5)
    sync(app)
    assert outbox(app, later).status == SENT
    assert item_for(site_a, "collective-report")["scores"]["2"]["scoreGiven"] == 12.5
    assert [p["status"] for p in posts_for(site_a, "2")] == [200, 200]


def test_a_line_item_deleted_on_the_platform_is_created_again(app, driver, world, site_a):
    assert driver.launch(site_a, "2", "114").status == 200
    enqueue(app, world.user("a", "2"), "oral-exam", 12)
    sync(app)
    first = item_for(site_a, "oral-exam")
    site_a.delete_lineitem("12", first["id"])
    row_id = enqueue(app, world.user("a", "3"), "oral-exam", 15)

    sync(app)
    assert outbox(app, row_id).status == "pending" and "404" in outbox(app, row_id).last_error
    sync(app)

    again = item_for(site_a, "oral-exam")
    assert again["id"] != first["id"]
    assert again["scores"]["3"]["scoreGiven"] == 15
    assert outbox(app, row_id).status == SENT and outbox(app, row_id).lineitem_url == again["url"]
