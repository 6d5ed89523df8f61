"""Realistic synthetic responses, planted effects, and exports in other platforms' layouts."""
