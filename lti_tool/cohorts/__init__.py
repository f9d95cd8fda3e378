"""Cohorts: one edition of the certificate spanning courses on several platforms."""
