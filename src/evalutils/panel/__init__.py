"""Raw files to validated tables: the schema (:mod:`.schema`), reading (:mod:`.io`), the parameter files
(:mod:`.params`), the monitoring indicators (:mod:`.indicators`) and the synthetic demo data (:mod:`.demo`)."""
