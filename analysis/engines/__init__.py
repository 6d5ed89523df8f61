"""Out-of-core analysis: the sums every Taylor variance needs, aggregated by an engine (DuckDB
embedded, Spark SQL past one machine) and finished in numpy; docs/reference/scale.md."""
