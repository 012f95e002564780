"""Loaders: the catalogue into the database, department submissions, templates and exports.

Kept import-light on purpose: ``python -m loaders`` pays only for what a command uses.
"""
