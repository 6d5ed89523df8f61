"""The survey design and what is estimated with it: estimators, intervals, tests, corrections."""
