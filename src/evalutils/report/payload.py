"""The machine-readable results a report displays: the mime type the runner, the manifest and the site read.

Kept apart from the sections so that the render side can read payloads without importing the report code.
"""

RESULTS_MIME = "application/vnd.evalutils.results+json"
