"""The parts of the tool a launch opens (portfolio, pillars, seminars, case study, assessments)."""
