"""The instrument and the data: questionnaire model, expressions, forms, readers and writers."""
