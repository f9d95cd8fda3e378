"""The certificate result: weighted mean, pass mark, optional minimum per assessment, incomplete."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rubrics import RubricError, load_rubrics
from rubrics.certificate import CertificateRules, certificate_result, load_certificate_rules
from rubrics.rounding import Rounding


def rules(
    minimum_enabled=False, minimum=8, weights=None, rounding="half-up to 0.1"
) -> CertificateRules:
    return CertificateRules(
        weights={
            k: Decimal(v)
            for k, v in (
                weights or {"collective-report": 1, "reflective-report": 1, "oral-exam": 1}
            ).items()
        },
        grade_max=Decimal(20),
        pass_mark=Decimal(10),
        rounding=Rounding.parse(rounding),
        minimum_enabled=minimum_enabled,
        minimum=Decimal(minimum),
    )


def grades(collective, reflective, oral):
    return {"collective-report": collective, "reflective-report": reflective, "oral-exam": oral}


def test_shipped_rules_equal_weights_pass_mark_ten_minimum_off():
    shipped = load_certificate_rules()
    assert shipped.weights == {"collective-report": 1, "reflective-report": 1, "oral-exam": 1}
    assert (shipped.grade_max, shipped.pass_mark) == (20, 10)
    assert shipped.minimum_enabled is False and shipped.minimum == 8
    assert str(shipped.rounding) == "half-up to 0.1"


def test_shipped_rules_name_exactly_the_assessments_that_have_a_rubric():
    assert sorted(load_certificate_rules().assessments) == sorted(load_rubrics())


def test_equal_weights_mean_rounded_once():
    # (12.5 + 14 + 9) / 3 = 11.8333... -> 11.8
    result = certificate_result(grades(Decimal("12.5"), Decimal("14.0"), Decimal("9.0")), rules())
    assert (result.status, result.grade, result.passed, result.reasons) == (
        "passed",
        Decimal("11.8"),
        True,
        (),
    )
    assert "(1 × 12,5 + 1 × 14 + 1 × 9) / 3 ≈ 11,8333" in result.explanation
    assert "Note du certificat : 11,8/20" in result.explanation


def test_mean_below_the_pass_mark_fails_with_its_reason():
    result = certificate_result(grades(9, 10, Decimal("9.5")), rules())
    assert (result.status, result.grade, result.passed) == ("failed", Decimal("9.5"), False)
    assert result.reasons == ("La moyenne, 9,5/20, est inférieure au seuil de réussite de 10/20.",)


def test_rounded_mean_at_the_pass_mark_passes():
    # (9.9 + 10 + 10) / 3 = 9.9666... -> 10.0
    assert certificate_result(grades(Decimal("9.9"), 10, 10), rules()).passed is True


def test_mean_exactly_half_way_is_rounded_up():
    # (12.1 + 12.2 + 12.15) / 3 = 12.15 exactly (12.149999999999999 in floating point) -> 12.2
    result = certificate_result(grades("12.1", "12.2", "12.15"), rules())
    assert (result.raw, result.grade) == (Decimal("12.15"), Decimal("12.2"))


def test_weights_change_the_mean():
    result = certificate_result(
        grades(8, 8, 14),
        rules(weights={"collective-report": 1, "reflective-report": 1, "oral-exam": 2}),
    )
    assert result.grade == Decimal("11.0")


def test_minimum_rule_off_lets_a_low_assessment_be_compensated():
    result = certificate_result(grades(16, 14, 7), rules(minimum_enabled=False))
    assert (result.status, result.grade) == ("passed", Decimal("12.3"))
    assert "Règle du minimum par épreuve : non appliquée." in result.explanation


def test_minimum_rule_on_fails_a_low_assessment_whatever_the_mean():
    result = certificate_result(grades(16, 14, 7), rules(minimum_enabled=True, minimum=8))
    assert (result.status, result.grade, result.passed) == ("failed", Decimal("12.3"), False)
    assert result.reasons == (
        "oral-exam : 7/20, sous le minimum de 8/20 exigé pour chaque épreuve.",
    )


def test_minimum_rule_on_accepts_a_grade_equal_to_the_minimum():
    assert certificate_result(grades(16, 14, 8), rules(minimum_enabled=True)).passed is True


def test_missing_assessment_is_incomplete_not_failed():
    result = certificate_result(
        {"collective-report": 4, "oral-exam": None}, rules(minimum_enabled=True)
    )
    assert (result.status, result.grade, result.passed, result.incomplete) == (
        "incomplete",
        None,
        None,
        True,
    )
    assert result.missing == ("reflective-report", "oral-exam")
    assert result.reasons == ("Note manquante : reflective-report.", "Note manquante : oral-exam.")


def test_unknown_assessment_and_impossible_grades_are_refused():
    with pytest.raises(RubricError) as caught:
        certificate_result(
            {"written-exam": 12, "oral-exam": 21, "collective-report": "bien"}, rules()
        )
    assert [str(p) for p in caught.value.problems] == [
        "certificate grades: written-exam: unknown assessment "
        "(known: collective-report, reflective-report, oral-exam)",
        "certificate grades: oral-exam: 21 is not a grade between 0 and 20",
        "certificate grades: collective-report: 'bien' is not a grade between 0 and 20",
    ]


def test_rules_file_with_minimum_enabled(tmp_path):
    path = tmp_path / "certificate.yaml"
    path.write_text(
        "weights: {collective-report: 1, reflective-report: 1, oral-exam: 2}\n"
        "grade_max: 20\npass_mark: 10\n"
        "minimum_per_assessment: {enabled: true, minimum: 8}\n"
        "rounding: half-even to 0.5\n",
        encoding="utf-8",
    )
    loaded = load_certificate_rules(path)
    assert loaded.minimum_enabled and loaded.minimum == 8 and loaded.weights["oral-exam"] == 2
    # (10 + 10 + 2 × 7) / 4 = 8.5 -> 8.5; fails on the mean and on the oral's minimum
    result = certificate_result(grades(10, 10, 7), loaded)
    assert result.grade == Decimal("8.5") and len(result.reasons) == 2


def test_weights_default_to_equal_for_every_rubric(tmp_path):
    path = tmp_path / "certificate.yaml"
    path.write_text("grade_max: 20\npass_mark: 10\nrounding: half-up to 0.1\n", encoding="utf-8")
    loaded = load_certificate_rules(path)
    assert set(loaded.weights) == set(load_rubrics())
    assert set(loaded.weights.values()) == {1}


def test_broken_rules_file_lists_every_problem(tmp_path):
    path = tmp_path / "certificate.yaml"
    path.write_text(
        "weights:\n  collective-report: 0\n  Oral Exam: 1\n"
        "grade_max: 20\npass_mark: 30\n"
        "minimum_per_assessment:\n  enabled: oui\n  minimum: 25\n"
        "rounding: half-up to 0.3\n"
        "bonus: 2\n",
        encoding="utf-8",
    )
    with pytest.raises(RubricError) as caught:
        load_certificate_rules(path)
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        f"{path}:2: weights.collective-report: must be greater than 0, got 0",
        f"{path}:3: weights.Oral Exam: 'Oral Exam' is not an assessment id "
        "(lowercase letters, digits and single hyphens, e.g. 'collective-report')",
        f"{path}:5: pass_mark: must not exceed grade_max (20), got 30",
        f"{path}:7: minimum_per_assessment.enabled: must be true or false, got 'oui'",
        f"{path}:8: minimum_per_assessment.minimum: must not exceed grade_max (20), got 25",
        f"{path}:9: rounding: the step 0.3 does not divide grade_max 20: "
        "full marks would be rounded to another grade",
        f"{path}:10: bonus: unknown key "
        "(expected one of: grade_max, minimum_per_assessment, pass_mark, rounding, weights)",
    ]
