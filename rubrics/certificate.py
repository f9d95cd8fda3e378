"""The certificate's result from the grades of its three assessments (``config/certificate.yaml``).

The certificate grade is the weighted mean of the assessment grades (equal weights unless the file
says otherwise), computed exactly and rounded once; it passes at ``pass_mark`` or above. An
optional rule, ``minimum_per_assessment``, fails the certificate when any assessment is below a
minimum, whatever the mean. A missing assessment grade makes the result incomplete, not failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ._checks import SLUG, SLUG_HINT, Checker, to_decimal
from ._format import fr_decimal, fr_equals, fr_number
from ._yaml import child_path, read_yaml_file
from .errors import Problem, RubricError
from .loading import DEFINITIONS_DIRECTORY, check_rounding_reaches
from .programme_ids import REPOSITORY_ROOT
from .rounding import Rounding

CERTIFICATE_FILE = REPOSITORY_ROOT / "config" / "certificate.yaml"
CERTIFICATE_KEYS = ("weights", "grade_max", "pass_mark", "minimum_per_assessment", "rounding")
MINIMUM_KEYS = ("enabled", "minimum")

STATUS_PASSED, STATUS_FAILED, STATUS_INCOMPLETE = "passed", "failed", "incomplete"


@dataclass(frozen=True)
class CertificateRules:
    """How assessment grades make the certificate grade.

    ``weights`` maps every assessment id to its weight; ``minimum`` applies only when
    ``minimum_enabled`` is true.
    """

    weights: Mapping[str, Decimal]
    grade_max: Decimal
    pass_mark: Decimal
    rounding: Rounding
    minimum_enabled: bool = False
    minimum: Decimal = Decimal(0)
    source: str = ""

    @property
    def assessments(self) -> tuple[str, ...]:
        return tuple(self.weights)


@dataclass(frozen=True)
class CertificateResult:
    """The certificate result.

    ``status`` is "passed", "failed" or "incomplete". When incomplete, ``grade`` and ``passed``
    are None and ``missing`` lists the assessments without a grade. ``reasons`` says in French
    why the certificate is failed or incomplete (empty when passed); ``explanation`` how the
    result was computed.
    """

    status: str
    grade: Decimal | None
    passed: bool | None
    reasons: tuple[str, ...]
    explanation: str
    missing: tuple[str, ...] = ()
    raw: Decimal | None = None

    @property
    def incomplete(self) -> bool:
        return self.status == STATUS_INCOMPLETE


def load_certificate_rules(path: str | Path | None = None) -> CertificateRules:
    """Read and validate the certificate rules (default ``config/certificate.yaml``).

    Raises :class:`RubricError` listing every problem with the file, line and path.
    """
    file = Path(path) if path is not None else CERTIFICATE_FILE
    document = read_yaml_file(file)
    if document.problems and document.data is None:
        raise RubricError(document.problems)
    checker = Checker(document)
    data = checker.mapping(document.data, "", "a mapping with weights, pass_mark, rounding ...")
    if data is None:
        raise RubricError(checker.problems)
    checker.unknown_keys(data, "", CERTIFICATE_KEYS)
    grade_max = checker.number(data, "grade_max", "", positive=True)
    pass_mark = checker.number(data, "pass_mark", "", minimum=Decimal(0))
    if None not in (grade_max, pass_mark) and pass_mark > grade_max:
        checker.problem("pass_mark", f"must not exceed grade_max ({grade_max}), got {pass_mark}")
    weights = _read_weights(checker, data)
    enabled, minimum = _read_minimum_rule(checker, data, grade_max)
    rounding = None
    rounding_text = checker.text(data, "rounding", "")
    if rounding_text is not None:
        try:
            rounding = Rounding.parse(rounding_text)
        except ValueError as exc:
            checker.problem("rounding", str(exc))
    check_rounding_reaches(checker, rounding, grade_max)
    if checker.problems:
        raise RubricError(checker.problems)
    return CertificateRules(
        weights=weights,
        grade_max=grade_max,
        pass_mark=pass_mark,
        rounding=rounding,
        minimum_enabled=enabled,
        minimum=minimum,
        source=document.source,
    )


def _read_weights(checker: Checker, data: Mapping) -> dict[str, Decimal]:
    """The weights as written, or weight 1 for every assessment that has a rubric."""
    if data.get("weights") is None:
        return {file.stem: Decimal(1) for file in sorted(DEFINITIONS_DIRECTORY.glob("*.yaml"))}
    mapping = checker.mapping(data["weights"], "weights", "a mapping of assessment id: weight")
    if mapping is None:
        return {}
    if not mapping:
        checker.problem("weights", "must list at least one assessment")
    weights: dict[str, Decimal] = {}
    for assessment in mapping:
        if not isinstance(assessment, str) or not SLUG.match(assessment):
            checker.problem(
                child_path("weights", assessment),
                f"{assessment!r} is not an assessment id ({SLUG_HINT})",
            )
            continue
        weight = checker.number(mapping, assessment, "weights", positive=True)
        if weight is not None:
            weights[str(assessment)] = weight
    return weights


def _read_minimum_rule(
    checker: Checker, data: Mapping, grade_max: Decimal | None
) -> tuple[bool, Decimal]:
    rule = data.get("minimum_per_assessment")
    if rule is None:
        return False, Decimal(0)
    path = "minimum_per_assessment"
    mapping = checker.mapping(rule, path, "a mapping with enabled and minimum")
    if mapping is None:
        return False, Decimal(0)
    checker.unknown_keys(mapping, path, MINIMUM_KEYS)
    enabled = mapping.get("enabled", False)
    if not isinstance(enabled, bool):
        checker.problem(child_path(path, "enabled"), f"must be true or false, got {enabled!r}")
        enabled = False
    minimum = checker.number(
        mapping, "minimum", path, required=enabled, default=Decimal(0), minimum=Decimal(0)
    )
    if minimum is not None and grade_max is not None and minimum > grade_max:
        checker.problem(
            child_path(path, "minimum"), f"must not exceed grade_max ({grade_max}), got {minimum}"
        )
    return enabled, minimum if minimum is not None else Decimal(0)


def certificate_result(grades: Mapping[str, Any], rules: CertificateRules) -> CertificateResult:
    """The certificate result for ``grades`` (assessment id -> grade out of ``rules.grade_max``).

    A grade that is absent or None makes the result incomplete. Raises :class:`RubricError` for an
    unknown assessment or a grade that is not a number between 0 and ``grade_max``.
    """
    given = _checked_grades(grades, rules)
    missing = tuple(assessment for assessment in rules.assessments if assessment not in given)
    if missing:
        return _incomplete_result(missing, given, rules)
    total_weight = sum((Fraction(weight) for weight in rules.weights.values()), Fraction(0))
    raw = (
        sum(
            (Fraction(rules.weights[a]) * Fraction(given[a]) for a in rules.assessments),
            Fraction(0),
        )
        / total_weight
    )
    grade = rules.rounding.apply(raw)
    reasons = _failure_reasons(grade, given, rules)
    passed = not reasons
    return CertificateResult(
        status=STATUS_PASSED if passed else STATUS_FAILED,
        grade=grade,
        passed=passed,
        reasons=reasons,
        explanation=_explanation(raw, grade, given, rules, reasons),
        raw=Decimal(raw.numerator) / Decimal(raw.denominator),
    )


def _checked_grades(grades: Mapping[str, Any], rules: CertificateRules) -> dict[str, Decimal]:
    problems: list[Problem] = []
    given: dict[str, Decimal] = {}
    for assessment, value in grades.items():
        if assessment not in rules.weights:
            known = ", ".join(rules.assessments)
            problems.append(
                Problem(
                    "certificate grades", str(assessment), f"unknown assessment (known: {known})"
                )
            )
            continue
        if value is None:
            continue
        grade = to_decimal(value)
        if grade is None or not 0 <= grade <= rules.grade_max:
            problems.append(
                Problem(
                    "certificate grades",
                    assessment,
                    f"{value!r} is not a grade between 0 and {rules.grade_max}",
                )
            )
            continue
        given[assessment] = grade
    if problems:
        raise RubricError(problems)
    return given


def _failure_reasons(
    grade: Decimal, given: Mapping[str, Decimal], rules: CertificateRules
) -> tuple[str, ...]:
    gmax = fr_number(rules.grade_max)
    reasons = []
    if grade < rules.pass_mark:
        reasons.append(
            f"La moyenne, {fr_decimal(grade)}/{gmax}, est inférieure au seuil de réussite de "
            f"{fr_number(rules.pass_mark)}/{gmax}."
        )
    if rules.minimum_enabled:
        for assessment in rules.assessments:
            if given[assessment] < rules.minimum:
                reasons.append(
                    f"{assessment} : {fr_number(given[assessment])}/{gmax}, sous le minimum de "
                    f"{fr_number(rules.minimum)}/{gmax} exigé pour chaque épreuve."
                )
    return tuple(reasons)


def _incomplete_result(
    missing: tuple[str, ...], given: Mapping[str, Decimal], rules: CertificateRules
) -> CertificateResult:
    reasons = tuple(f"Note manquante : {assessment}." for assessment in missing)
    known = (
        ", ".join(f"{a} {fr_number(g)}/{fr_number(rules.grade_max)}" for a, g in given.items())
        or "aucune"
    )
    explanation = (
        f"Résultat incomplet : il manque la note de {', '.join(missing)} "
        f"(notes connues : {known}). La moyenne sera calculée quand les "
        f"{len(rules.assessments)} notes seront connues."
    )
    return CertificateResult(
        status=STATUS_INCOMPLETE,
        grade=None,
        passed=None,
        reasons=reasons,
        explanation=explanation,
        missing=missing,
    )


def _explanation(
    raw: Fraction,
    grade: Decimal,
    given: Mapping[str, Decimal],
    rules: CertificateRules,
    reasons: tuple[str, ...],
) -> str:
    gmax = fr_number(rules.grade_max)
    terms = " + ".join(
        f"{fr_number(rules.weights[a])} × {fr_number(given[a])}" for a in rules.assessments
    )
    total_weight = fr_number(sum(rules.weights.values(), Decimal(0)))
    names = ", ".join(f"{a} (poids {fr_number(rules.weights[a])})" for a in rules.assessments)
    lines = [
        f"Moyenne pondérée des épreuves {names} :",
        f"({terms}) / {total_weight} {fr_equals(raw)}",
        f"Note du certificat : {fr_decimal(grade)}/{gmax} "
        f"(arrondie {rules.rounding.describe_fr()}).",
        f"Seuil de réussite : {fr_number(rules.pass_mark)}/{gmax}.",
    ]
    if rules.minimum_enabled:
        lines.append(
            "Règle du minimum par épreuve appliquée : chaque épreuve doit atteindre "
            f"{fr_number(rules.minimum)}/{gmax}."
        )
    else:
        lines.append("Règle du minimum par épreuve : non appliquée.")
    lines.append(
        "Résultat : réussi." if not reasons else "Résultat : non réussi. " + " ".join(reasons)
    )
    return "\n".join(lines)
