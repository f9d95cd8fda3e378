"""Evaluation of the three assessments: groups and juries, blind scoring on the rubrics, the jury's
agreement, publication of the grades, the participants' results and the certificate's result.

``models`` holds the tables, ``organisation`` forming groups and juries and assigning them,
``scoring`` the jurors' scores, the agreement and the publication, ``results`` what participants
and teachers read afterwards (results, statistics, certificate), ``audit`` the append-only log.
Services take a SQLAlchemy session and never import Flask; ``views`` are the pages.
"""
