"""The tool's Jinja environment: Flask's, with template globals that are cheap to copy and a
fragment cache for the parts of pages that are the same for everyone."""
from __future__ import annotations

from collections import ChainMap
from typing import Any, Callable, MutableMapping

from flask.templating import Environment
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.utils import LRUCache

from lti_tool.i18n import request_translations


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
    def __init__(self, app, **options):
        options["extensions"] = [*options.get("extensions", ()), FragmentCache]
        super().__init__(app, **options)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return TemplateGlobals({} if d is None else d, self.globals)


class FragmentCache(Extension):
    """``{% cache key, ... %}...{% endcache %}``: the block is rendered once per key and
    language, and its output reused (Jinja's documented fragment cache, in the process's
    memory). The key must name everything the block shows that can vary: only what is the same
    for every user fits inside (never a token, a name or anything read from the database).
    While templates are reloaded on change (development), nothing is cached."""

    tags = {"cache"}

    def __init__(self, environment: Environment):
        super().__init__(environment)
        environment.extend(fragment_cache=LRUCache(4096))

    def parse(self, parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = parser.parse_tuple()
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        call = self.call_method("_fragment", [nodes.Const(parser.name), key])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, template: str | None, key: Any, caller: Callable[[], str]) -> str:
        if self.environment.auto_reload:
            return caller()
        full_key = (template, request_translations(), key)
        cache = self.environment.fragment_cache
        fragment = cache.get(full_key)
        if fragment is None:
            fragment = cache[full_key] = caller()
        return fragment
