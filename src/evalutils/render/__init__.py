"""Building the reports: one task (:mod:`.task`), executing notebooks (:mod:`.runner`), the run manifest
(:mod:`.manifest`), HTML (:mod:`.html`) and PDF (:mod:`.pdf`) rendering."""
