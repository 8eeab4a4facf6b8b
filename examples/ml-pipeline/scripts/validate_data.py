"""Check the dataset against data/config.yaml and write reports/data_validation.html.

    python scripts/validate_data.py [--config data/config.yaml] [--report reports/data_validation.html]

Checks, all of them every time, so one run shows every problem:
  - the header has exactly the configured columns, in order (schema)
  - every value has its column's type (int or float, finite, not empty)
  - the label is 0 or 1
  - there are at least min_rows rows
The HTML report is written in every case, so a failing job can still
upload it.

Exit codes: 0 valid, 1 a check failed (the message says which, with the
file and line), 2 bad usage.
"""

import argparse
import html
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from model import ConfigError, DataError, load_data_config  # noqa: E402
from model.data import display, read_table, sha256  # noqa: E402

MAX_LISTED = 20  # value errors listed one by one; the rest are counted


def main():
    parser = argparse.ArgumentParser(description="Validate the dataset before training.")
    parser.add_argument("--config", default="data/config.yaml", help="data settings (default: data/config.yaml)")
    parser.add_argument("--report", default="reports/data_validation.html", help="where the HTML report goes")
    args = parser.parse_args()

    try:
        config = load_data_config(args.config)
        header, rows = read_table(config.path)
    except (ConfigError, DataError) as e:
        print(f"error: {e}", file=sys.stderr)
        write_report(Path(args.report), args.config, None, [], [str(e)], {})
        return 1

    name = display(config.path)
    problems = check_schema(name, header, config)
    stats = {}
    if not problems:
        value_problems, stats = check_values(name, rows, config)
        problems += value_problems
    if len(rows) < config.min_rows:
        problems.insert(
            0, f"{name} has {len(rows)} rows; {config.source} asks for at least {config.min_rows} (min_rows)"
        )

    write_report(Path(args.report), config.source, config, rows, problems, stats, digest=sha256(config.path))
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print(f"{name}: {len(problems)} problem(s); report in {args.report}", file=sys.stderr)
        return 1
    positives = stats[config.label]["sum"]
    print(f"{name}: {len(rows)} rows, {len(header)} columns as in {config.source}, all values valid")
    print(f"label {config.label}: {int(positives)} of {len(rows)} rows are 1 ({positives / max(1, len(rows)):.1%})")
    print(f"report: {args.report}")
    return 0


def check_schema(name, header, config):
    """Problems with the header: missing, unexpected or reordered columns."""
    expected = list(config.columns)
    if header == expected:
        return []
    missing = [c for c in expected if c not in header]
    unexpected = [c for c in header if c not in expected]
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if unexpected:
        parts.append(f"unexpected {', '.join(unexpected)}")
    if not parts:
        parts.append(f"in the order {', '.join(header)}, expected {', '.join(expected)}")
    return [f"{name}:1: the columns do not match {config.source}: {'; '.join(parts)}"]


def check_values(name, rows, config):
    """Problems with the values, and per-column statistics of the valid ones."""
    problems, hidden = [], 0
    columns = list(config.columns.items())
    stats = {column: {"count": 0, "sum": 0.0, "min": math.inf, "max": -math.inf, "bad": 0} for column, _ in columns}
    for r, row in enumerate(rows):
        line = r + 2
        if len(row) != len(columns):
            hidden += report(problems, f"{name}:{line}: {len(row)} fields, expected {len(columns)}")
            continue
        for (column, kind), text in zip(columns, row):
            value = parse(text, kind)
            if value is None or (column == config.label and value not in (0, 1)):
                stats[column]["bad"] += 1
                want = "0 or 1" if column == config.label else f"an {kind}" if kind == "int" else f"a {kind}"
                hidden += report(problems, f"{name}:{line}: column {column}: expected {want}, found {text!r}")
                continue
            s = stats[column]
            s["count"] += 1
            s["sum"] += value
            s["min"] = min(s["min"], value)
            s["max"] = max(s["max"], value)
    if hidden:
        problems.append(f"... and {hidden} more value problem(s)")
    return problems, stats


def report(problems, message):
    """Add `message` unless MAX_LISTED are listed already; returns 1 when it was only counted."""
    if len(problems) < MAX_LISTED:
        problems.append(message)
        return 0
    return 1


def parse(text, kind):
    """`text` as a number of `kind`, or None when it is not one."""
    text = text.strip()
    try:
        value = int(text) if kind == "int" else float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def write_report(path, source, config, rows, problems, stats, digest=None):
    """A small self-contained HTML page: the verdict, the problems, a table per column."""
    status = "FAILED" if problems else "PASSED"
    colour = "#b00020" if problems else "#1b7f3b"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Data validation</title>',
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}</style></head><body>",
        f'<h1>Data validation: <span style="color:{colour}">{status}</span></h1>',
    ]
    if config is not None:
        out.append(
            f"<p>{esc(display(config.path))}: {len(rows)} rows (at least {config.min_rows}), "
            f"{len(config.columns)} columns, settings from {esc(source)}"
            + (f", sha256 <code>{digest}</code>" if digest else "")
            + "</p>"
        )
    if problems:
        out.append("<h2>Problems</h2><ul>" + "".join(f"<li>{esc(p)}</li>" for p in problems) + "</ul>")
    if config is not None and stats:
        out.append("<h2>Columns</h2><table><tr><th>column</th><th>type</th><th>valid</th><th>invalid</th>")
        out.append("<th>min</th><th>max</th><th>mean</th></tr>")
        for column, kind in config.columns.items():
            s = stats[column]
            mean = s["sum"] / s["count"] if s["count"] else math.nan
            role = " (label)" if column == config.label else "" if column in config.features else " (not a feature)"
            out.append(
                f"<tr><td style='text-align:left'>{esc(column)}{role}</td><td>{kind}</td><td>{s['count']}</td>"
                f"<td>{s['bad']}</td><td>{fmt(s['min'])}</td><td>{fmt(s['max'])}</td><td>{fmt(mean)}</td></tr>"
            )
        out.append("</table>")
    out.append("</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def esc(text):
    return html.escape(str(text))


def fmt(value):
    return "" if not math.isfinite(value) else f"{value:.4g}"


if __name__ == "__main__":
    sys.exit(main())
