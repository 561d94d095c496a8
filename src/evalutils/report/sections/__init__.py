"""One module per section of the province report; each returns HTML (from a template) or a table."""
