"""`itaku generate`: write a realistic synthetic dataset (see synthetic/generate.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli import _as_of, app, fail


def _gap_overrides(pairs: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for pair in pairs:
        kind, sep, value = pair.partition("=")
        try:
            if not sep:
                raise ValueError
            out[kind.strip()] = float(value)
        except ValueError:
            raise typer.BadParameter(f"expected KIND=RATE, got {pair!r}", param_hint="--gap") from None
    return out


@app.command()
def generate(
    out: Annotated[Optional[Path], typer.Argument(help="出力フォルダ / output folder (created; its CSV files are overwritten)")] = None,
    contracts: Annotated[Optional[int], typer.Option("--contracts", help="契約数 (必須) / number of contracts (required)")] = None,
    seed: Annotated[int, typer.Option("--seed", help="乱数の種 / random seed (same seed → same bytes)")] = 1,
    gap_rate: Annotated[float, typer.Option("--gap-rate", help="各種の不備の発生率 / rate of every kind of gap (0 = a clean dataset)")] = 0.04,
    gap: Annotated[list[str], typer.Option("--gap", help="種類別の率 / one kind's rate, KIND=RATE (e.g. approval-missing=0.1); `--gap list` lists the kinds")] = [],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="データの基準日 / the day the data describes (default 2026-11-01)")] = None,
    principals: Annotated[Optional[int], typer.Option("--principals", help="委託者の数 / principals (default: contracts/500, 3–1800)")] = None,
    contractors: Annotated[Optional[int], typer.Option("--contractors", help="委託先の数 / contractors (default: contracts/8, 30–150000)")] = None,
    max_depth: Annotated[int, typer.Option("--max-depth", help="最大階層 / deepest level (1–8)")] = 8,
    alias_rate: Annotated[float, typer.Option("--alias-rate", help="和暦・日本語表記のセルの割合 / share of cells in Japanese spellings")] = 0.02,
    progress: Annotated[Optional[bool], typer.Option("--progress/--no-progress", help="進捗表示 (stderr) / progress bar (default: from 20,000 contracts)")] = None,
) -> None:
    """合成データセットを生成する / write a realistic synthetic dataset (deterministic for a seed)."""
    from synthetic import generate as gen

    if "list" in gap:
        for kind, rule in gen.GAPS.items():
            typer.echo(f"{kind:36} → {rule}")
        raise typer.Exit(0)
    if out is None or contracts is None:
        fail("itaku generate: give an output folder and --contracts N (e.g. itaku generate OUT --contracts 10000); "
             "`itaku generate --gap list` lists the kinds of gap")
    day = _as_of(as_of) if as_of else gen.DEFAULT_AS_OF
    overrides = _gap_overrides(gap)
    show = progress if progress is not None else contracts >= 20_000
    try:
        opts = dict(gap_rate=gap_rate, gaps=overrides, as_of=day, principals=principals, contractors=contractors,
                    max_depth=max_depth, alias_rate=alias_rate)
        gen.Options(contracts=contracts, seed=seed, **opts)  # fail before any file is written
        if show:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            with Progress(TextColumn("生成 / generating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          TimeRemainingColumn(), console=Console(stderr=True)) as bar:
                task = bar.add_task("contracts", total=contracts)
                summary = gen.generate(out, contracts, seed, progress=lambda k: bar.advance(task, k), **opts)
        else:
            summary = gen.generate(out, contracts, seed, **opts)
    except ValueError as exc:
        fail(str(exc))
    depths = ", ".join(f"{d}: {n}" for d, n in summary.depths.items())
    typer.echo(f"OK: {out}: " + ", ".join(f"{n} {name}" for name, n in summary.rows.items()), err=True)
    typer.echo(f"contracts by depth: {depths}; check with: itaku check {out} --as-of {day}", err=True)
