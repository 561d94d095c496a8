"""evalutils: evaluation reports for Vietnam's enterprise productivity and quality programmes."""

__version__ = "0.1.0"
