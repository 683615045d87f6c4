"""`itaku export dora-roi` and `itaku import dora-roi`: the DORA register of information (B_05.01,
B_05.02) written from a dataset and read back (registers.dora_roi). Registered by one import line
at the end of itaku/cli.py; `import` is cli_office's group."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loaders import DatasetError

from loaders.messages import msg

from .cli import DatasetArg, Lang, LangOpt, app, fail, import_app, library, problem_lines, read
from .output import printable

export_app = typer.Typer(help="登録簿の書き出し / write registers kept by regulated entities.", no_args_is_help=True)
app.add_typer(export_app, name="export")

OutDir = Annotated[Path, typer.Option("--out", help="出力先（新しいフォルダ）/ the folder to write (new or empty)")]


def _fresh(out: Path, *inputs: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        fail(f"--out: {out} exists and is not an empty folder: give a new folder (nothing is overwritten)")
    for source in inputs:
        if source.exists() and out.resolve() in (source.resolve(), *source.resolve().parents):
            fail(f"--out: {out} is (inside) the input {source}: choose another folder")


@export_app.command("dora-roi")
def export_dora_roi(dataset: DatasetArg, out: OutDir, lang: LangOpt = Lang.ja) -> None:
    """DORA の情報登録簿 B_05.01・B_05.02 を CSV で書き出す / write the DORA register of information
    templates B_05.01 and B_05.02 (ITS 2024/2956) for the chains supporting critical functions."""
    from registers.dora_roi import export_register

    _fresh(out, dataset)
    ds = read(dataset, library([]), lang=lang)
    try:
        reg = export_register(ds, out)
    except DatasetError as exc:
        fail(problem_lines(exc, lang, "summary_register"))
    chains = len({r["c0010"] for r in reg.b0502})
    typer.echo(printable(f"{out}: b_05.01.csv ({len(reg.b0501)} providers), b_05.02.csv ({len(reg.b0502)} rows, "
                         f"{chains} chains supporting critical functions), itaku/ (what the ITS does not record)"))


@import_app.command("dora-roi")
def import_dora_roi(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="b_05.01.csv と b_05.02.csv のフォルダ / the register's folder")],
    out: OutDir,
    entity: Annotated[str, typer.Option("--entity", help="金融機関の org_id（itaku/ がない場合）/ org_id of the financial entity "
                                                          "when the folder has no itaku/ companion")] = "ENTITY",
    lang: LangOpt = Lang.ja,
) -> None:
    """DORA の情報登録簿をデータセットに取り込む / import a register of information into a new dataset."""
    from registers.dora_roi import import_register

    _fresh(out, folder)
    if not folder.is_dir():
        fail(f"{folder}: {msg('no_such_path').text(lang.value)}")
    try:
        ds = import_register(folder, out, entity)
    except DatasetError as exc:
        fail(problem_lines(exc, lang, "summary_written"))
    typer.echo(printable(f"{out}: {len(ds.organizations)} organizations, {len(ds.contracts)} contracts, "
                         f"{len(ds.approvals)} approvals (check it: itaku check {out} --policy dora)"))
