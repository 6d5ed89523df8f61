"""Everything a researcher hands on, in one folder: workbook, charts, findings, HTML."""
