"""Clean error pages in the user's language; never a stack trace."""
from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("lti_tool")


def _render(error: HTTPException):
    problem = getattr(g, "launch_token_problem", None) if error.code == 401 else None
    if request.accept_mimetypes.best == "application/json":
        message = getattr(error, "user_message", None)
        return {"error": error.name, "code": error.code, "session": problem,
                "message": str(message) if message else None}, error.code
    return render_template("errors/error.html", error=error, session_problem=problem), error.code


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _render)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _render(InternalServerError())
