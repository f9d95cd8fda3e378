"""Every route of the tool refuses a request without a launch, except the public LTI endpoints."""
from __future__ import annotations

import pytest
from werkzeug.routing.converters import AnyConverter, NumberConverter

# Endpoints a platform or a browser reaches before any launch, and why.
PUBLIC_ENDPOINTS = {
    "static",                    # CSS and scripts
    "lti.jwks",                  # the tool's public keyset
    "lti.login",                 # OIDC login initiation
    "lti.launch",                # the redirection URI (the id_token is the credential)
    "lti.launch_by_get",         # explains that launch addresses are opened from the course
    "registration.configuration",  # what a Moodle administrator pastes
    "home.home",                 # the tool's address: sends to the configuration page
    "registration.register",     # Dynamic Registration (its registration token is the credential)
    "observability.health",      # liveness for the load balancer
    "observability.metrics",     # protected by its own bearer token (tested in test_observability)
}


def sample_url(rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, NumberConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "html"
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def protected_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]


def test_there_are_protected_routes(app):
    assert len(protected_rules(app)) >= 5


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_no_route_serves_a_request_without_a_launch(app, client, method):
    served = []
    for rule in protected_rules(app):
        if method not in rule.methods:
            continue
        response = client.open(sample_url(rule), method=method)
        if response.status_code not in (400, 401, 403, 404, 405):
            served.append(f"{method} {rule.rule} ({rule.endpoint}) -> {response.status_code}")
        assert response.status_code < 500, f"{method} {rule.rule} -> {response.status_code}"
    assert not served, "routes answering without a launch:\n" + "\n".join(served)


def test_a_forged_launch_token_is_refused_everywhere(app, client):
    for rule in protected_rules(app):
        if "GET" in rule.methods:
            response = client.get(sample_url(rule), query_string={"lt": "forged.token.value"})
            assert response.status_code in (400, 401, 403, 404, 405), rule.rule


def test_ids_beyond_the_database_range_answer_404(app, client):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and any(
                isinstance(rule._converters[name], NumberConverter) for name in rule.arguments):
            url = sample_url(rule).replace("/1", "/" + str(2**63), 1)
            assert client.get(url).status_code in (401, 404), url


def test_an_oversized_form_is_refused_cleanly(app, client):
    response = client.post("/portfolio/entries/new", data={"body": "x" * (30 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.text or "trop" in response.text
