"""Banner tables: one row question by several `by` variables, with Total, letters and tests."""
