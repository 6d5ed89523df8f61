"""The user's files: YAML read with the position of every value, outputs written whole."""
