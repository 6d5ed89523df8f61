"""The questionnaire: its model, loading with located errors, checks and column names."""
