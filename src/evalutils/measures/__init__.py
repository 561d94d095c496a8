"""Measures built from the validated tables: firm outcomes (:mod:`.outcomes`), the national aggregates
(:mod:`.aggregates`), the plan targets' scorecard (:mod:`.targets`) and the disclosure rules (:mod:`.disclosure`)."""
