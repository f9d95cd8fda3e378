"""A Moodle-like LTI 1.3 platform: the tests' counterpart and the platform of `lti-tool demo`.

Public names live in `lti_tool.demo.platform` and `lti_tool.demo.server`.
"""
