"""Forms made from a questionnaire: web form, XLSForm, paper, codebook, Wenjuanxing text."""
