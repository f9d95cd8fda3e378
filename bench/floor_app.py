"""A hello-world Flask application: ``bench/launch.py`` serves it with the same gunicorn to
show what three bare requests cost on the machine at the moment of the measurement."""
from flask import Flask, request

app = Flask(__name__)


@app.route("/", methods=["GET", "POST"])
def hello():
    return f"<!doctype html><title>floor</title><p>{len(request.form)} fields</p>"
