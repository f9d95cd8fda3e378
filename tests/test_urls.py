"""Addresses inside the tool: built once per script root, and still right for each request."""
from __future__ import annotations

from flask import url_for


def test_an_address_is_built_for_its_own_values_and_script_root(app):
    for _ in range(2):  # built, then reused
        with app.test_request_context("/"):
            assert url_for("portfolio.pillar", number=1) == "/portfolio/pillar-1"
            assert url_for("portfolio.pillar", number=2) == "/portfolio/pillar-2"
            assert url_for("portfolio.new_entry", kind="reflection", anchor="P1.O1") == \
                "/portfolio/entries/new?kind=reflection&anchor=P1.O1"
            assert url_for("portfolio.pillar", number=1, _anchor="outcome-P1.O1.A1") == \
                "/portfolio/pillar-1#outcome-P1.O1.A1"
            assert url_for("portfolio.entries", tag=["a", "b"]) == "/portfolio/entries?tag=a&tag=b"
        # Behind a proxy that mounts the tool under a path.
        with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/cimp"}):
            assert url_for("portfolio.pillar", number=1) == "/cimp/portfolio/pillar-1"
            assert url_for("portfolio.pillar", number=1, _external=True) == \
                "http://localhost/cimp/portfolio/pillar-1"
