"""``guichets hours parse``: the real CLI run as a subprocess, on texts, a page and batches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

WEEKDAYS = ["mo", "tu", "we", "th", "fr"]

# A small page with two offices (no <html lang>: the language is detected from the text).
TWO_OFFICES = """<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Services communaux</title></head>
<body>
<main>
  <h1>Nos services</h1>
  <section class="office">
    <h2>Service Population</h2>
    <p class="address">Place communale 1, 1300 Wavre</p>
    <p>Du lundi au vendredi de 9h à 12h.</p>
  </section>
  <section class="office">
    <h2>Service Urbanisme</h2>
    <p class="address">Rue de l'Hôtel de Ville 5, 1300 Wavre</p>
    <p>Le mardi et le jeudi de 13h à 16h, uniquement sur rendez-vous.</p>
  </section>
</main>
</body>
</html>
"""


def guichets(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``guichets ARGS...`` in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "warehouse.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=Path(__file__).parents[2],
    )


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def days(result: dict) -> list[str]:
    return [s["day"] for s in result["slots"]]


def test_text_json_is_one_line_of_json() -> None:
    proc = guichets("hours", "parse", "Du lundi au vendredi de 9h à 12h.", "--json")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.strip().splitlines()) == 1
    result = json.loads(proc.stdout)
    assert result["language"] == "fr"
    assert result["text"] == "Du lundi au vendredi de 9h à 12h."
    assert days(result) == WEEKDAYS
    assert {(s["opens"], s["closes"], s["access"]) for s in result["slots"]} == {("09:00", "12:00", "walk_in")}
    assert result["appointment_only"] is False
    assert "à" in proc.stdout  # ensure_ascii=False: accents are written as such


def test_text_summary_is_human_readable() -> None:
    text = "Le mardi de 9h à 12h, uniquement sur rendez-vous. Permanence téléphonique le jeudi de 14h à 16h."
    proc = guichets("hours", "parse", text)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "language:         fr" in out
    assert "Tu 09:00–12:00 (appointment)" in out
    assert "appointment only: yes" in out
    assert "Th 14:00–16:00" in out  # under the phone hours, not as a counter slot
    assert out.index("phone hours") < out.index("Th 14:00–16:00")
    assert "confidence:" in out
    assert not out.lstrip().startswith("{")


def test_explicit_lang_decides_ambiguous_abbreviations() -> None:
    # "ma" is mardi in French and maandag in Dutch: --lang overrides detection.
    fr = json.loads(guichets("hours", "parse", "ma 9h-12h", "--lang", "fr", "--json").stdout)
    nl = json.loads(guichets("hours", "parse", "ma 9h-12h", "--lang", "nl", "--json").stdout)
    assert (fr["language"], days(fr)) == ("fr", ["tu"])
    assert (nl["language"], days(nl)) == ("nl", ["mo"])


def test_lang_auto_detects_dutch_abbreviations() -> None:
    proc = guichets("hours", "parse", "ma-vr 9u-12u", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["language"] == "nl"
    assert days(result)[0] == "mo"  # "ma" read as maandag, not mardi
    assert days(result) == WEEKDAYS


def test_text_without_hours_fails_with_exit_1() -> None:
    proc = guichets("hours", "parse", "Bienvenue sur le site de la commune", "--json")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "NoScheduleFound" in proc.stderr and "Bienvenue" in proc.stderr


def test_file_prints_one_object_per_office(tmp_path: Path) -> None:
    page = tmp_path / "services.html"
    page.write_text(TWO_OFFICES, encoding="utf-8")
    proc = guichets("hours", "parse", "--file", str(page), "--json")
    assert proc.returncode == 0, proc.stderr
    results = json_lines(proc.stdout)
    assert [r["name"] for r in results] == ["Service Population", "Service Urbanisme"]
    assert all(r["language"] == "fr" for r in results)
    population, urbanisme = results
    assert days(population) == WEEKDAYS and population["appointment_only"] is False
    assert days(urbanisme) == ["tu", "th"] and urbanisme["appointment_only"] is True
    assert {s["access"] for s in urbanisme["slots"]} == {"appointment"}
    assert urbanisme["address"] == "Rue de l'Hôtel de Ville 5, 1300 Wavre"


def test_file_summary_and_windows_1252(tmp_path: Path) -> None:
    page = tmp_path / "legacy.html"
    page.write_bytes(TWO_OFFICES.replace('<meta charset="utf-8">', "").encode("windows-1252"))
    proc = guichets("hours", "parse", "--file", str(page))
    assert proc.returncode == 0, proc.stderr
    assert "Service Population — Place communale 1, 1300 Wavre" in proc.stdout
    assert "Rue de l'Hôtel de Ville 5" in proc.stdout  # decoded from windows-1252, not mangled
    assert "Th 13:00–16:00 (appointment)" in proc.stdout


def test_file_uses_html_lang(tmp_path: Path) -> None:
    page = tmp_path / "nl.html"
    page.write_text(
        '<html lang="nl-BE"><body><section><h2>Loket Burgerzaken</h2><p>Ma: 9u-12u</p></section></body></html>',
        encoding="utf-8",
    )
    results = json_lines(guichets("hours", "parse", "--file", str(page), "--json").stdout)
    assert [(r["language"], days(r)) for r in results] == [("nl", ["mo"])]


def test_file_without_hours_fails_naming_the_file(tmp_path: Path) -> None:
    page = tmp_path / "contact.html"
    page.write_text("<html lang='fr'><body><h1>Contact</h1><p>Écrivez-nous.</p></body></html>", encoding="utf-8")
    proc = guichets("hours", "parse", "--file", str(page))
    assert proc.returncode == 1
    assert "NoScheduleFound" in proc.stderr and str(page) in proc.stderr


def test_missing_file_is_bad_usage(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    proc = guichets("hours", "parse", "--file", str(missing))
    assert proc.returncode == 2
    assert str(missing) in proc.stderr
    proc = guichets("hours", "parse", "--batch", str(tmp_path / "nope.txt"))
    assert proc.returncode == 2
    assert "nope.txt" in proc.stderr


def test_batch_of_plain_lines_keeps_order_and_goes_on(tmp_path: Path) -> None:
    batch = tmp_path / "texts.txt"
    lines = ["lundi 9h-12h", "Bienvenue à la maison communale", "", "Mon-Fri 9am-5pm", "Mo.-Fr. 9-12 Uhr"]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = guichets("hours", "parse", "--batch", str(batch))  # JSON even without --json
    assert proc.returncode == 0, proc.stderr
    results = json_lines(proc.stdout)
    assert [r["text"] for r in results] == [line for line in lines if line]  # blank lines skipped
    assert [r["language"] for r in results] == ["fr", "fr", "en", "de"]
    assert days(results[0]) == ["mo"]
    assert results[1]["error"] == "NoScheduleFound" and results[1]["message"]
    assert "slots" not in results[1]
    assert days(results[2]) == WEEKDAYS and results[2]["slots"][0]["closes"] == "17:00"
    assert days(results[3]) == WEEKDAYS


def test_batch_jsonl_from_stdin_with_per_line_language() -> None:
    stdin = "\n".join(
        [
            json.dumps({"id": 1, "text": "ma 9u-12u"}),  # auto: Dutch
            json.dumps({"id": 2, "text": "ma 9h-12h", "lang": "fr"}),  # forced: mardi
            json.dumps({"id": 3, "text": "Sans intérêt"}),
        ]
    )
    proc = guichets("hours", "parse", "--batch", "-", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    first, second, third = json_lines(proc.stdout)
    assert (first["language"], days(first)) == ("nl", ["mo"])
    assert (second["language"], days(second)) == ("fr", ["tu"])
    assert third == {
        "text": "Sans intérêt",
        "language": "fr",
        "error": "NoScheduleFound",
        "message": third["message"],
    }


def test_batch_reports_malformed_lines_and_exits_1() -> None:
    stdin = '{"text": "lundi 9h-12h"}\n{"txt": "oops"}\nmardi 9h-12h\n'
    proc = guichets("hours", "parse", "--batch", "-", stdin=stdin)
    assert proc.returncode == 1
    results = json_lines(proc.stdout)
    assert [r.get("error") for r in results] == [None, "BadInput", None]  # the batch went on
    assert "line 2" in results[1]["message"]
    assert "1 malformed line" in proc.stderr


def test_exactly_one_input_else_exit_2(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(TWO_OFFICES, encoding="utf-8")
    for args in ([], ["lundi 9h-12h", "--file", str(page)], ["--file", str(page), "--batch", "-"]):
        proc = guichets("hours", "parse", *args)
        assert proc.returncode == 2, args
        assert "exactly one of TEXT, --file" in proc.stderr


def test_bad_lang_is_bad_usage() -> None:
    proc = guichets("hours", "parse", "lundi 9h-12h", "--lang", "es")
    assert proc.returncode == 2
    assert "--lang" in proc.stderr and "es" in proc.stderr
