"""The tool's Jinja environment: Flask's, with templates compiled once per language (their
constant strings translated in the compiled code), template globals that are cheap to copy,
and a fragment cache for the parts of pages that are the same for everyone."""
from __future__ import annotations

import weakref
from collections import ChainMap
from contextvars import ContextVar
from typing import Any, Callable, MutableMapping

from flask.templating import Environment
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.utils import LRUCache
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from lti_tool.i18n import request_translations

# The calls that translate a string in the tool's templates (see lti_tool.i18n).
GETTEXT_NAMES = ("_", "gettext")
# The catalogue a template is being compiled with (several threads may compile at once).
_compiling_with: ContextVar[Any] = ContextVar("compiling_with", default=None)


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


def format_translated(message: str, **variables) -> Markup:
    """The runtime half of ``_("...", name=value)`` once its message is translated: the
    translation is markup, the variables are escaped into it (as ``template_gettext``)."""
    return Markup(message) % variables


class TranslateConstants(NodeTransformer):
    """Replaces each ``_("text")`` of a template with its translation: the compiled template
    then holds the translated text as it holds the page's markup, with no call at render
    time. ``_("text %(n)s", n=...)`` keeps a call, to ``format_translated``, with the message
    already translated."""

    def __init__(self, translations: Any):
        self.translations = translations

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in GETTEXT_NAMES
                and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str)
                and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        translated = self.translations.ugettext(node.args[0].value)
        if node.kwargs:
            return nodes.Call(nodes.Name("format_translated", "load"), [nodes.Const(translated)],
                              node.kwargs, None, None, lineno=node.lineno)
        text = Markup(translated)
        if "%" in text:
            try:
                text = text % {}  # "%%" is a percent sign, as at render time
            except (KeyError, TypeError, ValueError):
                return node  # left as it was: it fails at render time, as it did
        return nodes.MarkSafe(nodes.Const(str(text)), lineno=node.lineno)


class ToolEnvironment(Environment):
    def __init__(self, app, **options):
        options["extensions"] = [*options.get("extensions", ()), FragmentCache]
        super().__init__(app, **options)
        self.globals["format_translated"] = format_translated

    def _load_template(self, name: str, globals: MutableMapping[str, Any] | None):
        """Jinja's own, but a template is kept per name and language, and compiled with that
        language's catalogue (an included or imported template with the same one)."""
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        translations = request_translations()
        cache_key = (weakref.ref(self.loader), name, translations)
        if self.cache is not None:
            template = self.cache.get(cache_key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template
        compiling = _compiling_with.set(translations)
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _compiling_with.reset(compiling)
        if self.cache is not None:
            self.cache[cache_key] = template
        return template

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        translations = _compiling_with.get()
        if translations is None:  # a template made from a string: translated as it renders
            return tree
        return TranslateConstants(translations).visit(tree)

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
