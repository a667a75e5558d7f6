"""The benchmark's JSON results as the Markdown that docs/performance.md keeps.

    .venv/bin/python bench/report.py var/bench/results-100k-sqlite.json [more.json …]

Prints, per results file, the data size, the machine (with its load averages while the
run started) and the table: operation, p50 / p95 / max in ms, SQL queries, the app's SQL
ms, the floor's ms, their ratio, and whether the targets were met."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def number(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}".replace(",", " ")
    return f"{value:,}".replace(",", " ")


def verdict(row: dict) -> str:
    if row.get("error"):
        return "error"
    return {True: "yes", False: "**no**", None: "—"}[row.get("met")]


def section(results: dict) -> str:
    machine = results["machine"]
    sizes = results["data"].items()
    data = ", ".join(f"{table.split('_', 1)[1]} {number(n)}" for table, n in sizes)
    load = machine.get("load_average")
    database = machine["database"].split(" on ")[0].replace("postgresql PostgreSQL", "PostgreSQL")
    lines = [
        f"### {results['scale']} on {database} ({results['when'][:16]} UTC)",
        "",
        f"Data: {data}. Machine: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['ram_gb']} GB, Python {machine['python']}"
        + (f"; load average at the start {load[0]} / {load[1]} / {load[2]}" if load else "")
        + f". {results['repeat']} timed requests per operation as `bench.sales`.",
        "",
        "| operation | p50 ms | p95 ms | max ms | queries | SQL ms | floor ms | ratio | "
        "rows/s | peak MB | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in results["rows"]:
        figures = row.get("figures") or {}
        cells = [
            row["label"],
            number(row["p50"]),
            number(row["p95"]),
            number(row["max"]),
            number(row["queries"]),
            number(row["sql_ms"]),
            number(row["floor_ms"], 2),
            number(row["ratio"]),
            number(figures.get("rows_per_s"), 0),
            number(figures.get("peak_mb"), 0),
            verdict(row),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    files = sys.argv[1:] or sys.exit(__doc__)
    print("\n\n".join(section(json.loads(Path(f).read_text())) for f in files))


if __name__ == "__main__":
    main()
