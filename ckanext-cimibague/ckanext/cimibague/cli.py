"""The ``ckan cimibague`` command group."""

from __future__ import annotations

from pathlib import Path

import ckan.plugins.toolkit as tk
import click

from ckanext.cimibague import seed as seeding

__all__ = ["cimibague"]


@click.group(short_help="Comandos del CIM Ibagué.")
def cimibague() -> None:
    """Comandos del portal del Centro de Información Municipal de Ibagué."""


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
