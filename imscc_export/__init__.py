"""The CIMP course as an IMS Common Cartridge, and the checks a cartridge must pass.

Pure Python with lxml (no web framework)::

    from imscc_export import export_cartridge, validate_cartridge
    data = export_cartridge("https://tool.example.org", version="1.1")   # validated zip bytes
    problems = validate_cartridge("cimp.imscc")                          # [] when valid

The competency framework exports are in :mod:`imscc_export.framework`; the command line is
``imscc-export`` (:mod:`imscc_export.cli`).
"""

from imscc_export.cartridge import CartridgeInvalid
from imscc_export.export import ToolUrlError, export_cartridge, normalise_tool_url
from imscc_export.framework import case_json, case_package, moodle_csv
from imscc_export.schemas import SchemasNotFound
from imscc_export.validate import Problem, validate_cartridge, validate_cartridge_bytes

__all__ = [
    "CartridgeInvalid",
    "Problem",
    "SchemasNotFound",
    "ToolUrlError",
    "case_json",
    "case_package",
    "export_cartridge",
    "moodle_csv",
    "normalise_tool_url",
    "validate_cartridge",
    "validate_cartridge_bytes",
]
