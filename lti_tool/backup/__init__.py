"""Backups: the database and the uploaded files in one archive, and their restoration."""
