from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="session")
def chilean() -> pd.DataFrame:
    """R prodest 1.0.1 ``chilean`` data (see tests/fixtures/README.md)."""
    return pd.read_csv(FIXTURES / "chilean.csv")


CHILEAN_SPEC = dict(output="Y", free=["fX1", "fX2"], state="sX", proxy="pX",
                    unit="idvar", time="timevar")
