"""Statistics and outputs: survey design, banner tables, tests, findings, charts."""
