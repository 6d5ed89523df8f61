"""A report's claims tested on the data: claims files, verdicts, tables, sentences, profiles."""
