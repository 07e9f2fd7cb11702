"""The release gate's results as one static HTML page that opens offline (``validation/summary.html``).

GX's Data Docs load their scripts and styles from CDNs: offline they show an empty page. This
page needs nothing else: inline CSS, no script, no image, no link outside the release. It says
how many expectations ran and failed, per table, and lists every failed or waived one with its
sample offending values, from the same records as ``validation/results.json``.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from pathlib import Path

SUMMARY_PAGE = "summary.html"
# No network access at all from the page, whatever it contains (scraped sample values included).
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f2f2f2}td.n{text-align:right}.fail{color:#a40000;font-weight:600}
.ok{color:#1b5e20;font-weight:600}code{font-size:90%}
"""


def write_summary_page(validation_dir: Path, summary: dict, expectations: list[dict]) -> Path:
    """Write ``<validation_dir>/summary.html`` from the gate's summary and per-expectation records."""
    path = validation_dir / SUMMARY_PAGE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(summary_html(summary, expectations), "utf-8")
    return path


def summary_html(summary: dict, expectations: list[dict]) -> str:
    """The page's HTML: a pure function of its inputs (releases are rebuilt byte for byte)."""
    failed = [e for e in expectations if not e.get("success")]
    waived = {(w["table"], w.get("check")) for w in summary.get("waived") or []}
    ran, failing = Counter(e["table"] for e in expectations), Counter(e["table"] for e in failed)
    verdict = (
        '<p class="ok">Every expectation passed.</p>'
        if not failed
        else f'<p class="fail">{len(failed)} expectation(s) did not pass '
        f"({len([e for e in failed if (e['table'], e.get('check')) in waived])} waived by a recorded override).</p>"
    )
    rows = "".join(
        f"<tr><td><code>{escape(t)}</code></td><td class=n>{n}</td>"
        f"<td class=n{' fail' if failing[t] else ''}>{failing[t]}</td></tr>"
        for t, n in sorted(ran.items())
    )
    failures = "".join(
        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            escape(e["table"]),
            escape(e["expectation"] + (f" [{e['check']}]" if e.get("check") else "")),
            escape(str(e.get("column") or "—")),
            escape("; ".join(str(v) for v in (e.get("sample_rows") or e.get("sample_unexpected") or []))[:2000]),
        )
        for e in failed
    )
    overrides = "".join(
        f"<li><code>{escape(o['check'])}</code>: {escape(o['reason'])} ({escape(o['who'])})</li>"
        for o in summary.get("overrides") or []
    )
    version = escape(str(summary.get("version")))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>Validation of release {version}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Validation of release {version}</h1>"
        f"<p>Great Expectations {escape(str(summary.get('great_expectations')))}: "
        f"{summary.get('evaluated')} expectations on {len(ran)} tables; {summary.get('failed')} failed "
        "(not waived). The machine-readable record is <code>results.json</code> beside this page; "
        "GX's own Data Docs (<code>index.html</code>) need their web assets to display.</p>"
        f"{verdict}<h2>Expectations per table</h2><table><thead><tr><th>table</th><th>expectations</th>"
        f"<th>not passed</th></tr></thead><tbody>{rows}</tbody></table>"
        + (
            "<h2>Expectations not passed</h2><table><thead><tr><th>table</th><th>expectation</th>"
            f"<th>column</th><th>sample offending values</th></tr></thead><tbody>{failures}</tbody></table>"
            if failed
            else ""
        )
        + (f"<h2>Recorded overrides</h2><ul>{overrides}</ul>" if overrides else "")
        + "</body></html>\n"
    )
