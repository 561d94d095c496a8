"""The reports: the province report (:mod:`.province`), the national synthesis (:mod:`.national`) and the
machine-readable payload both display (:mod:`.payload`). Notebooks import ``evalutils.report.province as report``."""
