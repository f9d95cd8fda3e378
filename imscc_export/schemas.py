"""Locating and compiling the IMS Common Cartridge XSDs, without any network access.

The schemas are data shared by the whole project (``../shared/schemas`` next to the repository).
Each XSD is compiled once per process and per directory; imports point to sibling files.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from lxml import etree

SCHEMAS_ENV_VAR = "CIMP_CC_SCHEMAS"

_REPO_ROOT = Path(__file__).resolve().parent.parent
_NETWORK_SCHEMES = frozenset({"http", "https", "ftp"})


class SchemasNotFound(Exception):
    """The schema directory or one of its XSDs is missing or cannot be compiled."""


def default_schemas_dir() -> Path:
    """The schema directory: ``$CIMP_CC_SCHEMAS`` when set, else ``<repo>/../shared/schemas``."""
    from_env = os.environ.get(SCHEMAS_ENV_VAR)
    if from_env:
        return Path(from_env)
    return _REPO_ROOT.parent / "shared" / "schemas"


def resolve_schemas_dir(schemas_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the schema directory to use (explicit argument first), checking that it exists."""
    directory = Path(schemas_dir) if schemas_dir is not None else default_schemas_dir()
    if not directory.is_dir():
        raise SchemasNotFound(
            f"schema directory not found: {directory} "
            f"(set {SCHEMAS_ENV_VAR} or pass --schemas DIR)"
        )
    return directory.resolve()


class _LocalOnlyResolver(etree.Resolver):
    """Serve schema imports from the local directory and refuse any network address.

    A remote ``schemaLocation`` whose file name exists beside the importing schema (typically
    ``http://www.w3.org/2001/xml.xsd``) is served from that local copy.
    """

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self._directory = directory
        self.refused: list[str] = []

    def resolve(self, system_url, public_id, context):  # noqa: ANN001 - lxml's signature
        scheme = urlparse(system_url or "").scheme.lower()
        if scheme not in _NETWORK_SCHEMES:
            return None
        local = self._directory / Path(urlparse(system_url).path).name
        if local.is_file():
            return self.resolve_filename(str(local), context)
        # lxml turns an exception here into a failed import: remember why, to say so.
        self.refused.append(system_url)
        return self.resolve_string("", context)


def safe_xml_parser() -> etree.XMLParser:
    """A parser that never touches the network, loads no DTD and expands no external entity."""
    return etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)


@lru_cache(maxsize=None)
def load_schema(schemas_dir: Path, relative_path: str) -> etree.XMLSchema:
    """Compile ``schemas_dir/relative_path`` once (cached) and return it."""
    path = schemas_dir / relative_path
    if not path.is_file():
        raise SchemasNotFound(f"schema not found: {path}")
    parser = safe_xml_parser()
    resolver = _LocalOnlyResolver(path.parent)
    parser.resolvers.add(resolver)
    try:
        schema = etree.XMLSchema(etree.parse(str(path), parser))
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as error:
        schema, failure = None, error
    if resolver.refused:
        raise SchemasNotFound(
            f"cannot compile schema {path}: refusing to fetch {', '.join(resolver.refused)} "
            f"(no local copy in {path.parent})"
        )
    if schema is None:
        raise SchemasNotFound(f"cannot compile schema {path}: {failure}") from failure
    return schema
