"""Responses: the one in-memory layout of answers and missing kinds, validation, import."""
