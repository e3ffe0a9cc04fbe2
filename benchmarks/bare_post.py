"""The in-run baseline of ``ideas_load.py``: a bare Flask app whose one POST endpoint reads a
small form and answers a small JSON object, served by the same gunicorn settings."""
from flask import Flask, jsonify, request


def create_app():
    app = Flask(__name__)

    @app.get("/ideariihi/<int:round_id>")
    def page(round_id):
        return '<input name="csrf_token" value="bare">'

    @app.post("/ideariihi/<int:round_id>/aani")
    def vote(round_id):
        return jsonify({"ok": True, "idea_id": request.form.get("idea_id"), "next": None})

    return app
