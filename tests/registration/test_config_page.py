"""GET /lti/config: what a Moodle administrator enters, in French, in English and as JSON."""
from __future__ import annotations

import lxml.html
import pytest

from tests.registration.conftest import TOOL_BASE_URL

URL_FIELDS = {
    "tool_url": "/lti/launch",
    "public_keyset_url": "/lti/jwks.json",
    "initiate_login_url": "/lti/login",
    "registration_url": "/lti/register",
    "content_selection_url": "/lti/launch",
}


def copyable_values(html: str) -> dict[str, str]:
    """Each selectable value with the visible label of its row."""
    document = lxml.html.fromstring(html)
    values = {}
    for code in document.find_class("copy-value"):
        dt = code.getparent().getprevious()
        assert dt is not None and dt.tag == "dt", "every value has a visible label"
        values[dt.text_content().strip()] = code.text_content()
    return values


def test_the_page_is_french_by_default_with_every_value_built_from_the_base_url(tool):
    response = tool.get("/lti/config")
    assert response.status_code == 200
    assert 'lang="fr"' in response.text
    assert "Ajouter l'outil à Moodle" in response.text
    values = copyable_values(response.text)
    assert values == {
        "URL d'enregistrement": f"{TOOL_BASE_URL}/lti/register",
        "Nom de l'outil": "CIMP – portfolio et évaluation",
        "URL de l'outil": f"{TOOL_BASE_URL}/lti/launch",
        "Jeu de clés publiques": f"{TOOL_BASE_URL}/lti/jwks.json",
        "URL de connexion initiale": f"{TOOL_BASE_URL}/lti/login",
        "URI de redirection": f"{TOOL_BASE_URL}/lti/launch",
        "URL de sélection de contenu": f"{TOOL_BASE_URL}/lti/launch",
        "Commande": "lti-tool platform add --moodle WWWROOT --client-id ID --deployment-id ID",
    }
    for expected in ("LTI 1.3", "URL du jeu de clés", "préfixe",
                     "Utiliser ce service pour la synchronisation des notes et la gestion des "
                     "colonnes",
                     "Utiliser ce service pour récupérer les informations des membres selon les "
                     "réglages de confidentialité",
                     "Partager le nom de l'utilisateur avec l'outil", "Toujours", "Oui",
                     "port 443", "ID de déploiement"):
        assert expected in response.text, expected
    assert 'data-copy-text="Copier"' in response.text


@pytest.mark.parametrize("how", [{"query_string": {"lang": "en"}},
                                 {"headers": {"Accept-Language": "en-GB,en;q=0.9"}}])
def test_the_page_is_english_on_request(tool, how):
    response = tool.get("/lti/config", **how)
    assert 'lang="en"' in response.text
    values = copyable_values(response.text)
    assert values["Tool URL"] == f"{TOOL_BASE_URL}/lti/launch"
    assert values["Public keyset"] == f"{TOOL_BASE_URL}/lti/jwks.json"
    assert values["Initiate login URL"] == f"{TOOL_BASE_URL}/lti/login"
    assert values["Redirection URI(s)"] == f"{TOOL_BASE_URL}/lti/launch"
    assert values["Registration URL"] == f"{TOOL_BASE_URL}/lti/register"
    for expected in ("Keyset URL", "Use this service for grade sync and column management",
                     "Use this service to retrieve members' information as per privacy settings",
                     "Share launcher's email with tool", "Always",
                     "Supports Deep Linking (Content-Item Message)", "Content Selection URL",
                     "lti-tool platform add --moodle WWWROOT"):
        assert expected in response.text, expected


def test_the_page_loads_its_script_from_a_file_and_has_no_inline_script_or_style(tool):
    document = lxml.html.fromstring(tool.get("/lti/config").text)
    scripts = document.findall(".//script")
    assert [s.get("src") for s in scripts] == ["/static/registration.js"]
    assert all(s.get("defer") is not None and not (s.text or "").strip() for s in scripts)
    assert not document.xpath("//*[@style]")
    script = tool.get("/static/registration.js")
    assert script.status_code == 200 and b"navigator.clipboard" in script.data


def test_json_form_gives_every_value(tool):
    response = tool.get("/lti/config", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    for key, path in URL_FIELDS.items():
        assert data[key] == TOOL_BASE_URL + path, key
    assert data["redirection_uris"] == [f"{TOOL_BASE_URL}/lti/launch"]
    assert data["lti_version"] == "LTI 1.3"
    assert data["public_key_type"] == "Keyset URL"
    assert data["supports_deep_linking"] is True
    assert data["services"] == {
        "ims_lti_assignment_and_grade_services":
            "Use this service for grade sync and column management",
        "ims_lti_names_and_role_provisioning":
            "Use this service to retrieve members' information as per privacy settings",
    }
    assert data["privacy"] == {"share_launcher_name": "Always", "share_launcher_email": "Always"}
    assert data["platform_add_command"] == (
        "lti-tool platform add --moodle WWWROOT --client-id ID --deployment-id ID")


def test_a_browser_asking_for_anything_gets_the_page(tool):
    response = tool.get("/lti/config", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.mimetype == "text/html"


def test_values_follow_a_base_url_with_a_path(tool_app, tool):
    tool_app.config["BASE_URL"] = "https://apps.uni.example/cimp"
    data = tool.get("/lti/config", headers={"Accept": "application/json"}).get_json()
    for key, path in URL_FIELDS.items():
        assert data[key] == "https://apps.uni.example/cimp" + path, key


def test_without_a_base_url_the_request_root_is_used(tool_app, tool):
    tool_app.config["BASE_URL"] = None
    data = tool.get("/lti/config", base_url="https://tool.uni.example",
                    headers={"Accept": "application/json"}).get_json()
    assert data["tool_url"] == "https://tool.uni.example/lti/launch"
    assert data["public_keyset_url"] == "https://tool.uni.example/lti/jwks.json"


def test_the_tools_own_address_leads_to_the_configuration_page(tool):
    response = tool.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/lti/config")
    page = tool.get("/", follow_redirects=True)
    assert page.status_code == 200
    assert "/lti/jwks.json" in page.text
