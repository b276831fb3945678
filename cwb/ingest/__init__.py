"""Readers, mappers and validators for anchors' own files."""
