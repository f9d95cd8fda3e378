"""A Moodle-like LTI 1.3 platform: the tests' counterpart and the platform of `lti-tool demo`.

    from lti_tool.demo.platform import PlatformSite, demo_sites, serve_platform
    running = serve_platform(demo_sites("http://127.0.0.1:5000"))   # binds, then sets the base URL
    site = running.site("univ-a")        # issuer == running.url + "/univ-a"

Several sites (one university's Moodle each) share one Flask app under `/<slug>/`. The issuer is
`<base URL>/<slug>`; the base URL comes from `app.config["PLATFORM_BASE_URL"]`, set after binding
with `set_platform_base_url(app, server.url)` (or taken from the first request's host).
Public names: `lti_tool.demo.platform` and `lti_tool.demo.server`; Moodle's rules: `site.py`.
It imports nothing else from `lti_tool`.
"""
