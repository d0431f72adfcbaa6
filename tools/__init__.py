"""Maintainer tools for the course repository (not installed with ``utils``)."""
