"""The command line: kpis, forecast, backtest on files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hutano.__main__ import main

from conftest import HDHI_SITE, weekly_panel


def test_kpis_command(tmp_path: Path, hdhi_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, rejects = tmp_path / "alos.csv", tmp_path / "rejects.csv"
    code = main(["kpis", str(hdhi_path), "--site", str(HDHI_SITE), "--kpi", "alos", "--grain", "month",
                 "--start", "2017-04-01", "--end", "2019-04-01", "--rejects", str(rejects), "-o", str(out)])
    assert code == 0
    assert "15757 rows read, 14376 loaded, 1381 rejected" in capsys.readouterr().err
    assert len(pd.read_csv(out)) == 24
    assert len(pd.read_csv(rejects)) == 1381


def test_forecast_and_backtest_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    series = tmp_path / "series.csv"
    weekly_panel(n_series=2, days=84).to_csv(series, index=False)
    fc = tmp_path / "fc.csv"
    assert main(["forecast", str(series), "--h", "7", "--models", "snaive,naive", "-o", str(fc)]) == 0
    out = pd.read_csv(fc)
    assert len(out) == 14 and "SeasonalNaive-hi-95" in out.columns
    assert "fit: 4/4 (100%)" in capsys.readouterr().err
    cv, metrics = tmp_path / "cv.csv", tmp_path / "m.csv"
    assert main(["backtest", str(series), "--h", "7", "--n-windows", "2", "--models", "snaive", "-o", str(cv),
                 "--metrics", str(metrics)]) == 0
    assert len(pd.read_csv(cv)) == 2 * 2 * 7
    assert pd.read_csv(metrics)["model"].tolist() == ["SeasonalNaive"]


def test_errors_exit_with_status_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    series = tmp_path / "series.csv"
    weekly_panel(n_series=1, days=20).to_csv(series, index=False)
    assert main(["forecast", str(series), "--h", "7", "--models", "arma"]) == 1
    assert "unknown model" in capsys.readouterr().err
    assert main(["backtest", str(series), "--h", "7", "--n-windows", "5", "--models", "snaive"]) == 1
    assert "SeriesTooShortError" in capsys.readouterr().err
