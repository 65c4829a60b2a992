"""The ``ckan cimibague`` command group."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import click

from ckanext.cimibague import seed as seeding
from ckanext.cimibague.harvesters.commands import cosechar

__all__ = ["cimibague"]


@click.group(short_help="Comandos del CIM Ibagué.")
def cimibague() -> None:
    """Comandos del portal del Centro de Información Municipal de Ibagué."""


cimibague.add_command(cosechar)


@cimibague.command()
@click.option("--sysadmin", "sysadmin", metavar="NOMBRE", help="Crea (si falta) este administrador del sitio.")
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Archivo con la contraseña del administrador (obligatorio con --sysadmin).",
)
@click.option("--email", default="cim@ibague.gov.co", show_default=True, help="Correo del administrador.")
@click.option(
    "--demo/--no-demo",
    default=None,
    help="Cargar los conjuntos de ejemplo (por defecto: ckanext.cimibague.demo_content).",
)
def seed(sysadmin: str | None, password_file: Path | None, email: str, demo: bool | None) -> None:
    """Crea lo que falte del contenido base: administrador, nodos, entidades y ejemplos. Idempotente."""
    if sysadmin:
        if password_file is None:
            raise click.UsageError("--sysadmin necesita --password-file")
        password = password_file.read_text(encoding="utf-8").strip()
        seeding.ensure_sysadmin(sysadmin, password, email, click.echo)

    created = seeding.ensure_nodes(click.echo)
    click.echo(f"Nodos: {created} creados.")
    created = seeding.ensure_entidades(click.echo)
    click.echo(f"Entidades fuente: {created} creadas.")

    if demo is None:
        demo = tk.config.get("ckanext.cimibague.demo_content")
    if demo:
        created = seeding.ensure_demo_datasets(click.echo, approver=sysadmin)
        click.echo(f"Conjuntos de ejemplo: {created} creados.")


# ------------------------------------------------------------------------ freshness (planning)


@cimibague.group(short_help="Estado de actualización de los conjuntos.")
def freshness() -> None:
    """Estado de actualización de los conjuntos según su periodicidad (al día, por vencer, vencido)."""


@freshness.command("update")
@click.option("--batch", default=100, show_default=True, help="Conjuntos reindexados por lote.")
def freshness_update(batch: int) -> None:
    """Recalcula el estado de actualización y reindexa los conjuntos cuyo estado cambió hoy.

    Lo ejecuta a diario el programador del sitio (bin/cim); es idempotente.
    """
    from ckan.lib.search import commit, rebuild

    from ckanext.cimibague import search

    today = search.local_today()
    stale = list(search.stale_freshness(today))
    if not stale:
        click.echo(f"Estado de actualización al {today.isoformat()}: ningún conjunto cambió.")
        return
    with click.progressbar(length=len(stale), label="Reindexando", show_pos=True) as bar:
        for start in range(0, len(stale), batch):
            chunk = stale[start : start + batch]
            rebuild(package_ids=chunk, quiet=True)
            bar.update(len(chunk))
    commit()
    click.echo(f"Estado de actualización al {today.isoformat()}: {len(stale)} conjuntos reindexados.")


# ------------------------------------------------------------------------ requests and reminders (planning)


@cimibague.group(short_help="Solicitudes a las entidades fuente (cronograma).")
def requests() -> None:
    """Solicitudes de información a las entidades fuente."""


@requests.command("generate")
@click.option(
    "--dias", type=int, default=None, help="Anticipación en días (por defecto: ckanext.cimibague.requests.lead_days)."
)
def requests_generate(dias: int | None) -> None:
    """Marca vencidas las solicitudes cuya fecha límite pasó y prepara, como borradores, las solicitudes de
    las actualizaciones esperadas en los próximos días (o ya atrasadas) que aún no tienen una para ese
    periodo. Lo ejecuta a diario el programador del sitio (bin/cim); es idempotente."""
    from ckanext.cimibague.planning import cronograma, solicitudes

    today = solicitudes.today()
    expired = solicitudes.mark_overdue(today)
    click.echo(f"Solicitudes marcadas como vencidas: {expired}.")
    lead = cronograma.lead_days() if dias is None else dias
    candidates = list(cronograma.candidates(today + dt.timedelta(days=lead)))
    with click.progressbar(length=len(candidates), label="Cronograma", show_pos=True) as bar:
        plan = cronograma.generate(today, lead=lead, progress=bar.update)
    for reason in plan.skipped:
        click.echo(f"Sin solicitud: {reason}", err=True)
    click.echo(
        f"Cronograma al {today.isoformat()}: {len(plan.created)} solicitudes creadas (borrador), "
        f"{plan.existing} ya existían, {len(plan.skipped)} omitidas."
    )


@cimibague.group(short_help="Recordatorios diarios al personal de los nodos.")
def reminders() -> None:
    """Resumen diario por correo de lo pendiente en los nodos de cada persona."""


@reminders.command("send")
@click.option("--dry-run", is_flag=True, help="Mostrar los resúmenes sin enviarlos.")
def reminders_send(dry_run: bool) -> None:
    """Envía a cada integrante de un nodo un correo con las solicitudes vencidas y los conjuntos
    vencidos o por vencer de sus nodos (nadie recibe un resumen vacío)."""
    from ckanext.cimibague.planning import reminders as digest

    if not dry_run and not digest.enabled():
        click.echo("Recordatorios desactivados (ckanext.cimibague.reminders.enabled = false).")
        return
    digests = digest.build()
    if dry_run:
        for item in digests:
            click.echo(f"Para: {item.user.name} <{item.user.email or 'sin correo'}>")
            click.echo(f"Asunto: {item.subject()}")
            click.echo("")
            click.echo(item.body())
            click.echo("-" * 72)
        click.echo(f"Simulación: {len(digests)} resúmenes (no se envió ninguno).")
        return
    sent = 0
    failed: list[str] = []
    with click.progressbar(digests, label="Enviando", show_pos=True) as bar:
        for item in bar:
            done, errors = digest.send([item])
            sent += done
            failed += errors
    for line in failed:
        click.echo(f"No enviado: {line}", err=True)
    click.echo(f"Recordatorios: {sent} enviados, {len(failed)} sin enviar.")
    if failed:
        raise SystemExit(1)


# ------------------------------------------------------------------------ formato de recolección (spreadsheet)


def _request_context() -> Any:
    """A request context of CKAN's app (the validators' messages are translated in one), unless one is
    already active (tests) or the command runs outside ``ckan`` (no app)."""
    import contextlib

    import flask

    app = click.get_current_context().meta.get("flask_app")
    if flask.has_request_context() or app is None:
        return contextlib.nullcontext()
    return app.test_request_context()


@cimibague.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--nodo", metavar="NOMBRE", help="Nodo de las filas sin columna «Nodo» (nombre o título).")
@click.option(
    "--usuario", metavar="NOMBRE", help="Importar como este usuario (sus permisos). Por defecto, el del sitio."
)
@click.option("--simular", is_flag=True, help="Solo validar: mostrar qué se crearía o actualizaría, sin escribir.")
def import_(file: Path, nodo: str | None, usuario: str | None, simular: bool) -> None:
    """Importa el formato de recolección de información (.xlsx o .csv): todo o nada."""
    from ckanext.cimibague.harvesters import spreadsheet

    with _request_context():
        if usuario is None:
            usuario = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        elif not _user_exists(usuario):
            raise click.UsageError(f"no existe el usuario «{usuario}»")
        try:
            book = spreadsheet.read(file.read_bytes(), file.name)
        except spreadsheet.SpreadsheetError as error:
            report = spreadsheet.Report(errors=[spreadsheet.Problem(str(error))], simulated=simular)
        else:
            steps = len(book.datasets) * (1 if simular else 2)
            with click.progressbar(length=steps, label="Filas", file=click.get_text_stream("stderr")) as bar:
                report = spreadsheet.import_book(
                    book, user=usuario, nodo=nodo, simulate=simular, progress=lambda: bar.update(1)
                )
        _print_report(report)
    if not report.ok:
        raise SystemExit(1)


def _user_exists(name: str) -> bool:
    import ckan.model as model

    return model.User.get(name) is not None


DONE = {"created": "creado", "updated": "actualizado", "proposed": "cambio propuesto (publicado: espera revisión)"}
SIMULATED = {"created": "se crearía", "updated": "se actualizaría"}


def _print_report(report: Any) -> None:
    for line in report.lines():
        click.echo(line, err=True)
    if not report.ok:
        click.echo(f"{len(report.errors)} errores: no se importó nada.", err=True)
        return
    words = SIMULATED if report.simulated else DONE
    for outcome in [*report.created, *report.updated]:
        action = words[outcome.action]
        click.echo(f"fila {outcome.row}: {outcome.name} ({outcome.type}, nodo {outcome.node}): {action}")
    prefix = "Simulación: " if report.simulated else ""
    click.echo(f"{prefix}{len(report.created)} creados, {len(report.updated)} actualizados.")


@cimibague.command()
@click.argument(
    "out", required=False, default="formato-recoleccion-cim.xlsx", type=click.Path(dir_okay=False, path_type=Path)
)
def template(out: Path) -> None:
    """Genera la plantilla del formato de recolección (.xlsx) con las entidades y nodos actuales."""
    from ckanext.cimibague.harvesters import template as workbook

    with _request_context():
        out.write_bytes(workbook.build())
    click.echo(f"Plantilla escrita en {out}")
