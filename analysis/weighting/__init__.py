"""Weights that meet population margins: raking and post-stratification with one signature."""
