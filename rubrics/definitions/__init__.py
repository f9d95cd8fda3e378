"""Rubric definitions, one YAML file per assessment (data only: edit the YAML, not Python).

This file makes the folder part of the installed package, so the YAML files are installed too.
"""
