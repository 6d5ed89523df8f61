"""survey simulate, import and describe: outputs and exit codes."""

from __future__ import annotations

from typer.testing import CliRunner

from cli import app

Q = "questionnaires/industrial_workers.yaml"
runner = CliRunner()


def test_simulate_import_describe(tmp_path):
    sav = tmp_path / "s.sav"
    result = runner.invoke(app, ["simulate", Q, "-n", "120", "--seed", "7", "--effects",
                                 "questionnaires/industrial_workers.effects.yaml", "-o", str(sav)])
    assert result.exit_code == 0, result.output
    assert sav.exists() and sav.with_suffix(".sps").exists()
    clean = tmp_path / "clean.parquet"
    result = runner.invoke(app, ["import", str(sav), "-q", Q, "-o", str(clean)])
    assert result.exit_code == 0, result.output
    assert "as sav:" in result.output and "120 respondents" in result.output
    result = runner.invoke(app, ["describe", str(clean), "-q", Q, "--lang", "en"])
    assert result.exit_code == 0 and "Female" in result.output and "(skipped)" in result.output


def test_bad_inputs_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("birth_year,sex\nabc,1\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(bad), "-q", Q, "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 2 and f"{bad}:2:1:" in result.output
    result = runner.invoke(app, ["simulate", Q, "-o", str(tmp_path / "x.foo")])
    assert result.exit_code == 2 and "cannot write '.foo'" in result.output
    effects = tmp_path / "e.yaml"
    effects.write_text("effects: [{segment: nobody, question: sex, option: 1, odds_ratio: 2}]\n")
    result = runner.invoke(app, ["simulate", Q, "--effects", str(effects), "-o",
                                 str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "Traceback" not in result.output
