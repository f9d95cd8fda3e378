"""The tool's Jinja environment: Flask's, with template globals that are cheap to copy."""
from __future__ import annotations

from collections import ChainMap
from typing import Any, MutableMapping

from flask.templating import Environment


class TemplateGlobals(ChainMap):
    """A template's own globals over the environment's. Jinja copies them into a new context
    for every template it renders (a page, its includes, its imported macros); ``ChainMap``
    would raise and catch a ``KeyError`` for each global on the way, as a template's own
    globals are almost always empty."""

    def __contains__(self, key: object) -> bool:
        for mapping in self.maps:
            if key in mapping:
                return True
        return False

    def __getitem__(self, key: str) -> Any:
        for mapping in self.maps:
            if key in mapping:
                return mapping[key]
        return self.__missing__(key)


class ToolEnvironment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return TemplateGlobals({} if d is None else d, self.globals)
