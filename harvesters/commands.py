"""``ckan cimibague cosechar FUENTE``: harvest a source once, now, with a progress bar (added to the
``cimibague`` command group by cli.py)."""

from __future__ import annotations

import sys

import ckan.plugins.toolkit as tk
import click

from ckanext.cimibague.harvesters import run

__all__ = ["cosechar"]


@click.command(short_help="Cosecha una fuente una vez, con progreso.")
@click.argument("fuente")
@click.option("--abortar", is_flag=True, help="Da por terminado un trabajo que quedó «Running» y cosecha de nuevo.")
def cosechar(fuente: str, abortar: bool) -> None:
    """Cosecha la fuente FUENTE (nombre o id) en este proceso: recolección, obtención e importación de cada
    registro con barra de progreso, y cierra el trabajo. Sale con código 1 si hubo errores."""
    try:
        report = run.run_job(fuente, abort_running=abortar, progress=_bar)
    except (tk.ObjectNotFound, tk.ValidationError) as error:
        message = error.error_summary if isinstance(error, tk.ValidationError) else str(error)
        click.secho(f"Error: {message}", fg="red", err=True)
        sys.exit(2)
    click.echo(
        f"Trabajo {report.job_id}: {report.status}. Nuevos: {report.count('added')}, actualizados: "
        f"{report.count('updated')}, sin cambios: {report.count('not modified')}, "
        f"eliminados en la fuente: {report.count('deleted')}, con errores: {report.count('errored')}."
    )
    for message in report.gather_errors:
        click.secho(f"Error de recolección: {message}", fg="red", err=True)
    for guid, result in report.objects.items():
        for message in result["errors"]:
            click.secho(f"Error en «{guid}»: {message}", fg="red", err=True)
    sys.exit(0 if report.ok else 1)


def _bar(ids: list[str]):
    with click.progressbar(ids, label="Cosechando registros", show_pos=True, file=sys.stderr) as bar:
        yield from bar
