"""Collection: the web server that serves the form and stores submissions (SQLite or PostgreSQL)."""
