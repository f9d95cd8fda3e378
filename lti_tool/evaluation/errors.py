"""The one error of the evaluation services: a refused operation with a code for the page."""
from __future__ import annotations

from typing import Any


class EvaluationError(ValueError):
    """An evaluation operation refused before anything was written.

    ``code`` names the reason (the pages turn it into a sentence in the user's language),
    ``detail`` says it in English for logs and tests, ``params`` holds values for the message.
    """

    def __init__(self, code: str, detail: str, **params: Any):
        super().__init__(detail)
        self.code, self.detail, self.params = code, detail, params
