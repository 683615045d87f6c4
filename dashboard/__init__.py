"""Itaku dashboard (Dash): see dashboard/app.py and docs/dashboard.md."""
