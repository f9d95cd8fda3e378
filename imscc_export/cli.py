"""``imscc-export``: write the course cartridge, check a cartridge, export the competency framework.

    imscc-export --tool-url https://HOST[/PATH] -o FILE.imscc [--cc-version 1.1|1.3]
                 [--programme FILE] [--schemas DIR]
    imscc-export validate FILE.imscc [--schemas DIR]
    imscc-export framework --format moodle-csv|case-json -o FILE [--programme FILE]

Exit codes: 0 success (a valid cartridge for ``validate``), 1 invalid cartridge, 2 bad usage or
input (message on stderr, no output file written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from programme import ProgrammeError, load_programme
from rubrics import RubricError

from imscc_export import versions
from imscc_export.cartridge import CartridgeInvalid
from imscc_export.export import DEFAULT_VERSION, ToolUrlError, export_cartridge
from imscc_export.files import write_atomically
from imscc_export.framework import case_json, moodle_csv
from imscc_export.schemas import SCHEMAS_ENV_VAR, SchemasNotFound
from imscc_export.validate import validate_cartridge

PROG = "imscc-export"
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
FRAMEWORK_FORMATS: dict[str, Callable] = {"moodle-csv": moodle_csv, "case-json": case_json}


class _UsageError(Exception):
    """Bad input reported to the user with exit code 2."""


def _schemas_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--schemas",
        metavar="DIR",
        help=f"directory of the CC schemas (default: ${SCHEMAS_ENV_VAR} or ../shared/schemas)",
    )


def _programme_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--programme", metavar="FILE", help="programme YAML (default: config/programme.yaml)"
    )


def _export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write the CIMP course as an IMS Common Cartridge. Other commands: "
        f"'{PROG} validate FILE' and '{PROG} framework --format moodle-csv|case-json -o FILE'.",
    )
    parser.add_argument(
        "--tool-url",
        required=True,
        metavar="URL",
        help="base address of the CIMP tool, https://HOST[/PATH]",
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="cartridge to write (.imscc)"
    )
    parser.add_argument(
        "--cc-version",
        choices=sorted(versions.VERSIONS),
        default=DEFAULT_VERSION,
        help="1.1 for Moodle (default), 1.3 for other platforms",
    )
    _programme_option(parser)
    _schemas_option(parser)
    return parser


def _validate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} validate",
        description="List every problem of a cartridge (exit 0 when valid).",
    )
    parser.add_argument("cartridge", metavar="FILE")
    _schemas_option(parser)
    return parser


def _framework_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} framework",
        description="Export the competency framework (pillars, objectives, outcomes).",
    )
    parser.add_argument("--format", required=True, choices=sorted(FRAMEWORK_FORMATS))
    parser.add_argument("-o", "--output", required=True, metavar="FILE")
    _programme_option(parser)
    return parser


def _load_programme(path: str | None):
    try:
        return load_programme(path)
    except ProgrammeError as error:
        raise _UsageError(str(error)) from None
    except OSError as error:
        raise _UsageError(f"cannot read the programme: {error}") from None


def _write(path: str, data: bytes) -> None:
    try:
        write_atomically(path, data)
    except OSError as error:
        raise _UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _run_export(options: argparse.Namespace) -> int:
    programme = _load_programme(options.programme)
    try:
        data = export_cartridge(options.tool_url, options.cc_version, programme, options.schemas)
    except (ToolUrlError, SchemasNotFound, RubricError) as error:
        raise _UsageError(str(error)) from None
    except CartridgeInvalid as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_INVALID
    _write(options.output, data)
    print(f"{options.output}: Common Cartridge {options.cc_version}, {len(data)} bytes")
    return EXIT_OK


def _run_validate(options: argparse.Namespace) -> int:
    try:
        problems = validate_cartridge(options.cartridge, options.schemas)
    except SchemasNotFound as error:
        raise _UsageError(str(error)) from None
    except OSError as error:
        raise _UsageError(f"cannot read {options.cartridge}: {error.strerror or error}") from None
    if not problems:
        print(f"{options.cartridge}: valid")
        return EXIT_OK
    for problem in problems:
        print(problem)
    print(f"{options.cartridge}: {len(problems)} problem(s)", file=sys.stderr)
    return EXIT_INVALID


def _run_framework(options: argparse.Namespace) -> int:
    programme = _load_programme(options.programme)
    _write(options.output, FRAMEWORK_FORMATS[options.format](programme))
    print(f"{options.output}: competency framework ({options.format})")
    return EXIT_OK


_COMMANDS = {
    "export": (_export_parser, _run_export),
    "validate": (_validate_parser, _run_validate),
    "framework": (_framework_parser, _run_framework),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (export is the default command)."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args and args[0] in _COMMANDS else "export"
    make_parser, run = _COMMANDS[command]
    try:
        options = make_parser().parse_args(args)
    except SystemExit as exit_request:  # argparse has printed usage or help already
        return int(exit_request.code or 0)
    try:
        return run(options)
    except _UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
