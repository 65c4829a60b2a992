"""The CIM's "formato de recolección de información" (harvesters/formato.py, spreadsheet.py, template.py):
the import of an .xlsx or .csv as a node's staff member, all or nothing, through the Python API, the
``ckan cimibague import`` / ``template`` commands and the ``/formato`` page; and the template workbook.

Every workbook is built here with openpyxl (no binary fixture is committed)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import ckan.model as model
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import openpyxl
import pytest

from ckanext.cimibague.cli import cimibague
from ckanext.cimibague.harvesters import formato, spreadsheet, template
from tests.cim_data import IBAGUE, act, call_as, nodes_and_entity, publish

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ------------------------------------------------------------------------------------------- helpers


def xlsx(datasets: list[dict[str, Any]], resources: list[dict[str, Any]] | None = None) -> bytes:
    """A workbook with the sheets «Conjuntos de datos» and (if given) «Recursos»: the headers are the
    rows' keys in order of appearance, data from row 2 (no help row)."""
    workbook = openpyxl.Workbook()
    sheets = [(formato.DATASETS, datasets)] + ([(formato.RESOURCES, resources)] if resources is not None else [])
    workbook.remove(workbook.active)
    for title, rows in sheets:
        ws = workbook.create_sheet(title)
        headers: list[str] = []
        for row in rows:
            headers += [k for k in row if k not in headers]
        ws.append(headers)
        for row in rows:
            ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def count_datasets() -> int:
    return model.Session.query(model.Package).filter(model.Package.type != "harvest").count()


def search(**params: Any) -> dict[str, Any]:
    return call_as("cim-admin", "package_search", include_private=True, **params)


def show(name: str) -> dict[str, Any]:
    return helpers.call_action("package_show", id=name)


@pytest.fixture
def site(clean_db, clean_index):
    """Nodes nodo-pruebas (not an eje) and observatorios (an eje), otro-nodo; entities dane and igac (with
    its sigla); users: pu-editor (editor of both nodes), miembro (member of nodo-pruebas), otro-admin
    (admin of otro-nodo), with API tokens; the sysadmin cim-admin."""
    factories.Sysadmin(name="cim-admin")
    org, entidad = nodes_and_entity()
    observatorios = factories.Organization(name="observatorios", title="Observatorios")
    otro = factories.Organization(name="otro-nodo", title="Otro nodo")
    factories.Group(
        type="entidad",
        name="igac",
        title="Instituto Geográfico Agustín Codazzi",
        sigla="IGAC",
        tipo_entidad="publica",
        orden="nacional",
    )
    users = {
        "editor": factories.UserWithToken(name="pu-editor"),
        "member": factories.UserWithToken(name="miembro"),
        "other": factories.UserWithToken(name="otro-admin"),
    }
    for node, user, role in [
        (org, "pu-editor", "editor"),
        (observatorios, "pu-editor", "editor"),
        (org, "miembro", "member"),
        (otro, "otro-admin", "admin"),
    ]:
        helpers.call_action("organization_member_create", id=node["id"], username=user, role=role)
    return {"org": org, "observatorios": observatorios, "otro": otro, "entidad": entidad, "users": users}


COMMON = {
    "Área o dependencia": "Grupo de estudios económicos",
    "Idioma": "Español",
    "Contacto (nombre)": "Centro de Información Municipal",
    "contact_email": "cim@ibague.gov.co",
}


def good_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Three datasets of three types, written the ways people write them, and three resources (one
    linked by its dataset's title)."""
    desempleo = {
        "Identificador (URL)": "tasa-desempleo-ibague",
        "Nodo": "Observatorios",  # by title; no «Tipo (eje)»: the node's eje
        "Título": "Tasa de desempleo de Ibagué",
        "Descripcion": "Tasa de desempleo trimestral del área metropolitana.",
        "Entidad fuente": "departamento administrativo nacional de estadistica",
        "periodicidad": "Trimestral",
        "Cobertura geográfica": "Comuna 7; Corregimiento Dantas",
        "Cobertura temporal desde": dt.datetime(2020, 1, 1),
        "Cobertura temporal hasta": "31/12/2023",
        "Fecha de corte": "2024-03-31",
        "Licencia": "CC BY-SA 4.0",
        "Palabras clave": "empleo; desempleo",
        "Nivel de acceso (Ley 1712 de 2014)": "Pública",
        "Fuente y metodología": "Gran Encuesta Integrada de Hogares",
        "Observaciones de calidad": "Cifras preliminares del último trimestre.",
        "Observatorio": "Mercado laboral",
        "Línea temática": "Desempleo",
        "Boletín o publicación": "Boletín trimestral",
        "Enlace al boletín": "https://www.ibague.gov.co/boletin.pdf",
        **COMMON,
    }
    indicador = {
        "Tipo (eje)": "Indicador",
        "Título": "Cobertura neta en educación",
        "Descripcion": "Cobertura neta en educación básica.",
        "Entidad fuente": "dane",
        "periodicidad": "anual",
        "Cobertura geográfica": "Todo el municipio de Ibagué",
        "Cobertura temporal desde": "01/01/2023",
        "Cobertura temporal hasta": "31/12/2024",
        "Fecha de corte": dt.date(2024, 12, 31),
        "Eje temático": "Plan de Desarrollo",
        "Unidad de medida": "Porcentaje",
        "Fórmula de cálculo": "matriculados / población × 100",
        "Línea base (valor)": "45,5",
        "Línea base (año)": 2023,
        "Meta (valor)": 60.0,
        "Meta (año)": 2027,
        "Serie de valores": "2023: 45,5; 2024-T1: 47",
        **COMMON,
    }
    mapa = {
        "Identificador (URL)": "perimetro-urbano",
        "Tipo (eje)": "Información Geográfica",
        "Título": "Perímetro urbano",
        "Descripcion": "Perímetro urbano de Ibagué.",
        "Entidad fuente": "IGAC",
        "periodicidad": "No se actualiza",
        "Cobertura geográfica": "Comuna 1, Comuna 2",
        "Cobertura temporal desde": "01/01/2014",
        "Cobertura temporal hasta": "31/12/2027",
        "Fecha de corte": "31/12/2023",
        "Sistema de referencia": "EPSG:9377",
        "Representación espacial": "Vector",
        "Extensión espacial (GeoJSON)": "-75,28; 4,40; -75,12; 4,48",
        "Escala": "1:25000",
        **COMMON,
    }
    resources = [
        {
            "Conjunto de datos": "tasa-desempleo-ibague",
            "Nombre": "Tasa de desempleo 2024",
            "URL": "https://www.ibague.gov.co/desempleo.csv",
            "Descripción": "Serie trimestral.",
            "Formato": "CSV",
            "Fecha de actualización": dt.datetime(2024, 1, 31),
            "Tipo de recurso": "Datos",
        },
        {
            "Conjunto de datos": "tasa-desempleo-ibague",
            "Nombre": "Boletín",
            "URL": "https://www.ibague.gov.co/boletin.pdf",
            "Formato": "PDF",
            "Fecha de actualización": "15/02/2024",
            "Tipo de recurso": "documento",
        },
        {
            "Conjunto de datos": "Cobertura neta en educación",
            "Nombre": "Cobertura por año",
            "URL": "https://www.ibague.gov.co/cobertura.xlsx",
            "Formato": "XLSX",
        },
    ]
    return [desempleo, indicador, mapa], resources


def good_xlsx() -> bytes:
    return xlsx(*good_rows())


def run(content: bytes, filename: str = "formato.xlsx", **kwargs: Any) -> spreadsheet.Report:
    kwargs.setdefault("user", "pu-editor")
    kwargs.setdefault("nodo", "nodo-pruebas")
    return spreadsheet.import_file(content, filename, **kwargs)


# --------------------------------------------------------------------------------------------- import


@pytest.mark.usefixtures("with_request_context")
def test_good_workbook_creates_every_dataset_with_every_field(site):
    report = run(good_xlsx())

    assert report.errors == []
    assert [(o.row, o.name, o.type, o.node, o.action) for o in report.created] == [
        (2, "tasa-desempleo-ibague", "observatorios", "observatorios", "created"),
        (3, "cobertura-neta-en-educacion", "indicador", "nodo-pruebas", "created"),
        (4, "perimetro-urbano", "informacion-geografica", "nodo-pruebas", "created"),
    ]
    editor = model.User.get("pu-editor")
    for outcome in report.created:
        pkg = show(outcome.name)
        assert (pkg["estado_flujo"], pkg["private"], pkg["creator_user_id"]) == ("recibido", True, editor.id)
        assert (pkg["contact_name"], pkg["contact_email"]) == ("Centro de Información Municipal", "cim@ibague.gov.co")
        assert (pkg["area_dependencia"], pkg["language"]) == ("Grupo de estudios económicos", "es")

    desempleo = show("tasa-desempleo-ibague")
    assert desempleo["type"] == "observatorios"
    assert desempleo["owner_org"] == site["observatorios"]["id"]
    assert desempleo["title"] == "Tasa de desempleo de Ibagué"
    assert desempleo["notes"] == "Tasa de desempleo trimestral del área metropolitana."
    assert desempleo["entidad_fuente"] == "dane"
    assert desempleo["periodicidad"] == "trimestral"
    assert desempleo["cobertura_geografica"] == ["comuna-7", "corr-dantas"]
    assert (desempleo["temporal_start"], desempleo["temporal_end"]) == ("2020-01-01", "2023-12-31")
    assert desempleo["fecha_corte"] == "2024-03-31"
    assert desempleo["license_id"] == "cc-by-sa-4.0"
    assert sorted(t["name"] for t in desempleo["tags"]) == ["desempleo", "empleo"]
    assert desempleo["nivel_acceso"] == "publica"
    assert desempleo["provenance"] == "Gran Encuesta Integrada de Hogares"
    assert desempleo["observaciones_calidad"] == "Cifras preliminares del último trimestre."
    assert desempleo["observatorio"] == "mercado_laboral"
    assert desempleo["linea_tematica"] == "Desempleo"
    assert desempleo["boletin"] == "Boletín trimestral"
    assert desempleo["boletin_url"] == "https://www.ibague.gov.co/boletin.pdf"
    resources = [
        {k: r.get(k) for k in ("name", "url", "description", "format", "fecha_actualizacion", "tipo_recurso")}
        for r in desempleo["resources"]
    ]
    assert resources == [
        {
            "name": "Tasa de desempleo 2024",
            "url": "https://www.ibague.gov.co/desempleo.csv",
            "description": "Serie trimestral.",
            "format": "CSV",
            "fecha_actualizacion": "2024-01-31",
            "tipo_recurso": "datos",
        },
        {
            "name": "Boletín",
            "url": "https://www.ibague.gov.co/boletin.pdf",
            "description": None,
            "format": "PDF",
            "fecha_actualizacion": "2024-02-15",
            "tipo_recurso": "documento",
        },
    ]

    indicador = show("cobertura-neta-en-educacion")
    assert (indicador["type"], indicador["owner_org"]) == ("indicador", site["org"]["id"])
    assert (indicador["periodicidad"], indicador["cobertura_geografica"]) == ("anual", ["municipio"])
    assert (indicador["temporal_start"], indicador["temporal_end"]) == ("2023-01-01", "2024-12-31")
    assert indicador["fecha_corte"] == "2024-12-31"
    assert indicador["eje"] == "plan-de-desarrollo"
    assert (indicador["unidad_medida"], indicador["formula"]) == ("Porcentaje", "matriculados / población × 100")
    assert (indicador["linea_base_valor"], indicador["linea_base_anio"]) == ("45.5", "2023")
    assert (indicador["meta_valor"], indicador["meta_anio"]) == ("60", "2027")
    assert indicador["serie"] == [{"periodo": "2023", "valor": "45.5"}, {"periodo": "2024-T1", "valor": "47"}]
    assert [(r["name"], r["format"], r["tipo_recurso"]) for r in indicador["resources"]] == [
        ("Cobertura por año", "XLSX", "datos")
    ]
    assert indicador["license_id"] == "cc-by-4.0"  # the schema's default when the cell is empty

    mapa = show("perimetro-urbano")
    assert mapa["type"] == "informacion-geografica"
    assert (mapa["entidad_fuente"], mapa["periodicidad"]) == ("igac", "no_se_actualiza")
    assert mapa["cobertura_geografica"] == ["comuna-1", "comuna-2"]
    assert (mapa["sistema_referencia"], mapa["representacion"], mapa["escala"]) == ("EPSG:9377", "vector", "1:25000")
    assert json.loads(mapa["spatial"]) == IBAGUE
    assert mapa["resources"] == []

    found = search(q="*:*", fq="capacity:private", rows=10)
    assert sorted(p["name"] for p in found["results"]) == sorted(o.name for o in report.created)
    assert search(q="desempleo")["results"][0]["name"] == "tasa-desempleo-ibague"


@pytest.mark.usefixtures("with_request_context")
def test_csv_in_windows_1252_with_semicolons_and_resource_columns(site):
    lines = [
        "Identificador (URL);titulo;Descripcion;Tipo (eje);entidad_fuente;Periodicidad;Cobertura geográfica;"
        "Cobertura temporal desde;Cobertura temporal hasta;Fecha de corte;Contacto (nombre);Contacto (correo);"
        "Origen;Tratamiento de datos personales;Palabras clave;recurso_nombre;recurso_url;recurso_formato",
        "matricula-comunas;Matrícula por comuna;Estudiantes matriculados en colegios oficiales, por comuna.;"
        "Bases de datos internas y externas;Departamento Administrativo Nacional de Estadística;Semestral;"
        "Comuna 1, Comuna 13;01/02/2023;30/06/2023;15/07/2023;Secretaría de Educación;educacion@ibague.gov.co;"
        "Interna (Alcaldía de Ibagué);No contiene datos personales;educación, matrícula;"
        "Matrícula 2023;https://www.ibague.gov.co/matricula.csv;CSV",
        ";;;;;;;;;;;;;;;;;",
        "matricula-comunas;;;;;;;;;;;;;;;Diccionario de datos;https://www.ibague.gov.co/diccionario.pdf;PDF",
    ]
    content = "\r\n".join(lines).encode("cp1252")

    report = run(content, "formato.csv")

    assert report.errors == []
    assert [(o.row, o.name, o.action) for o in report.created] == [(2, "matricula-comunas", "created")]
    pkg = show("matricula-comunas")
    assert (pkg["type"], pkg["owner_org"], pkg["estado_flujo"], pkg["private"]) == (
        "bases-de-datos",
        site["org"]["id"],
        "recibido",
        True,
    )
    assert pkg["title"] == "Matrícula por comuna"
    assert pkg["notes"] == "Estudiantes matriculados en colegios oficiales, por comuna."
    assert (pkg["entidad_fuente"], pkg["periodicidad"]) == ("dane", "semestral")
    assert pkg["cobertura_geografica"] == ["comuna-1", "comuna-13"]
    assert (pkg["temporal_start"], pkg["temporal_end"], pkg["fecha_corte"]) == (
        "2023-02-01",
        "2023-06-30",
        "2023-07-15",
    )
    assert (pkg["contact_name"], pkg["contact_email"]) == ("Secretaría de Educación", "educacion@ibague.gov.co")
    assert (pkg["origen"], pkg["datos_personales"]) == ("interna", "no_contiene")
    assert sorted(t["name"] for t in pkg["tags"]) == ["educación", "matrícula"]
    assert [(r["name"], r["url"], r["format"]) for r in pkg["resources"]] == [
        ("Matrícula 2023", "https://www.ibague.gov.co/matricula.csv", "CSV"),
        ("Diccionario de datos", "https://www.ibague.gov.co/diccionario.pdf", "PDF"),
    ]


@pytest.mark.usefixtures("with_request_context")
def test_csv_in_utf8_with_bom_and_commas(site):
    content = (
        "\ufeffTítulo,Descripción,Tipo (eje),Entidad fuente,Periodicidad,Cobertura geográfica,"
        "Cobertura temporal desde,Cobertura temporal hasta,Fecha de corte,Contacto (nombre),Contacto (correo),"
        "Observatorio\n"
        'Homicidios por comuna,Tasa de homicidios.,Observatorios,DANE,Mensual,"Comuna 3; Comuna 4",'
        "01/01/2024,31/03/2024,31/03/2024,Observatorio de seguridad,seguridad@ibague.gov.co,"
        "Seguridad y convivencia\n"
    ).encode()

    report = run(content, "datos.csv", nodo="observatorios")

    assert report.errors == []
    pkg = show("homicidios-por-comuna")
    assert (pkg["type"], pkg["observatorio"]) == ("observatorios", "seguridad")
    assert (pkg["entidad_fuente"], pkg["cobertura_geografica"]) == ("dane", ["comuna-3", "comuna-4"])


@pytest.mark.usefixtures("with_request_context")
def test_bad_workbook_reports_every_error_with_row_and_column_and_creates_nothing(site):
    base = {
        "Tipo (eje)": "Observatorios",
        "Título": "Conjunto",
        "Descripción": "Descripción.",
        "Entidad fuente": "DANE",
        "Periodicidad": "Anual",
        "Cobertura geográfica": "Comuna 1",
        "Cobertura temporal desde": "01/01/2023",
        "Cobertura temporal hasta": "31/12/2023",
        "Fecha de corte": "31/12/2023",
        "Contacto (nombre)": "CIM",
        "Contacto (correo)": "cim@ibague.gov.co",
        "Observatorio": "Salud",
    }
    rows = [
        {"Identificador (URL)": "uno", **base, "Periodicidad": "Cada rato"},
        {"Identificador (URL)": "dos", **base, "Título": None},
        {"Identificador (URL)": "tres", **base, "Fecha de corte": "31/02/2024"},
        {"Identificador (URL)": "cuatro", **base},
    ]
    resources = [
        {"Conjunto de datos": "cuatro", "Nombre": "Datos", "URL": "https://www.ibague.gov.co/d.csv"},
        {"Conjunto de datos": "no-existe", "Nombre": "Huérfano", "URL": "https://www.ibague.gov.co/h.csv"},
    ]

    report = run(xlsx(rows, resources))

    assert report.lines() == [
        "Conjuntos de datos, fila 2, columna «Periodicidad»: «Cada rato» no es una opción válida (opciones: "
        "Diaria, Semanal, Mensual, Bimestral, Trimestral, Semestral, Anual, Bienal, Cuatrienal (periodo de "
        "gobierno), Decenal, Irregular, No se actualiza (histórico))",
        "Conjuntos de datos, fila 3, columna «Título»: Título es obligatorio",
        "Conjuntos de datos, fila 4, columna «Fecha de corte»: «31/02/2024» no es una fecha: escríbala como dd/mm/aaaa",
        "Recursos, fila 3, columna «Conjunto de datos»: ningún conjunto de la hoja «Conjuntos de datos» tiene el "
        "identificador o el título «no-existe»",
    ]
    assert report.created == report.updated == []
    assert count_datasets() == 0
    assert search(q="*:*")["count"] == 0


@pytest.mark.usefixtures("with_request_context")
def test_headers_types_nodes_permissions_and_duplicates_are_reported(site):
    base = {
        "Título": "Conjunto",
        "Descripción": "Descripción.",
        "Entidad fuente": "DANE",
        "Periodicidad": "Anual",
        "Cobertura geográfica": "Comuna 1",
        "Cobertura temporal desde": "01/01/2023",
        "Cobertura temporal hasta": "31/12/2023",
        "Fecha de corte": "31/12/2023",
        "Contacto (nombre)": "CIM",
        "Contacto (correo)": "cim@ibague.gov.co",
    }
    rows = [
        # the observatory is required for the type, and the plan is not a column of it
        {"Identificador (URL)": "conjunto-a", "Tipo (eje)": "Observatorios", **base, "Plan de desarrollo": "Vibra"},
        {"Identificador (URL)": "conjunto-b", "Nodo": "otro-nodo", "Tipo (eje)": "Observatorios", **base},
        {"Identificador (URL)": "conjunto-c", "Nodo": "Nodo inexistente", **base},
        {"Identificador (URL)": "conjunto-d", **base},  # nodo-pruebas is no eje: the type is needed
        {"Identificador (URL)": "conjunto-e", "Tipo (eje)": "POT", **base, "Instrumento": "Plan parcial"},
        {"Identificador (URL)": "Conjunto E", "Tipo (eje)": "POT", **base, "Instrumento": "Plan parcial"},
        {"Identificador (URL)": "conjunto-f", "Columna inventada": "x", "Tipo (eje)": "Indicador", **base},
    ]
    for row in rows[1:]:
        row.setdefault("Observatorio", "Salud" if row.get("Tipo (eje)") == "Observatorios" else None)
        row.setdefault("Componente", "Urbano" if row.get("Tipo (eje)") == "POT" else None)

    report = run(xlsx(rows))

    assert report.lines() == [
        "Conjuntos de datos, fila 1, columna «Columna inventada»: columna desconocida: use los encabezados de la "
        "plantilla",
        "Conjuntos de datos, fila 2, columna «Plan de desarrollo»: esta columna no corresponde a los conjuntos de "
        "tipo «Observatorios»: déjela vacía",
        "Conjuntos de datos, fila 2, columna «Observatorio»: Observatorio es obligatorio",
        "Conjuntos de datos, fila 3, columna «Nodo»: no tiene permiso para crear conjuntos en el nodo «Otro nodo»",
        "Conjuntos de datos, fila 4, columna «Nodo»: no existe el nodo «Nodo inexistente»",
        "Conjuntos de datos, fila 4, columna «Tipo (eje)»: falta el tipo: escriba el eje temático o Indicador",
        "Conjuntos de datos, fila 5, columna «Tipo (eje)»: falta el tipo: escriba el eje temático o Indicador",
        "Conjuntos de datos, fila 7, columna «Identificador (URL)»: el identificador «conjunto-e» ya lo usa la fila 6",
        *(
            f"Conjuntos de datos, fila 8, columna «{label}»: {label} es obligatorio"
            for label in (
                "Eje temático",
                "Unidad de medida",
                "Fórmula de cálculo",
                "Línea base (valor)",
                "Línea base (año)",
                "Meta (valor)",
                "Meta (año)",
            )
        ),
    ]
    assert count_datasets() == 0


@pytest.mark.usefixtures("with_request_context")
def test_reimport_updates_the_same_datasets_without_duplicates(site):
    first = run(good_xlsx())
    assert first.ok
    before = {name: show(name) for name in (o.name for o in first.created)}

    datasets, resources = good_rows()
    datasets[0]["Descripcion"] = "Tasa de desempleo, revisada."
    datasets[0]["Fuente y metodología"] = None  # an empty cell keeps the dataset's value
    resources[1]["Formato"] = "ZIP"
    second = run(xlsx(datasets, resources))

    assert second.errors == []
    assert second.created == []
    assert [(o.name, o.action) for o in second.updated] == [
        ("tasa-desempleo-ibague", "updated"),
        ("cobertura-neta-en-educacion", "updated"),
        ("perimetro-urbano", "updated"),
    ]
    assert count_datasets() == 3
    desempleo = show("tasa-desempleo-ibague")
    assert desempleo["id"] == before["tasa-desempleo-ibague"]["id"]
    assert desempleo["metadata_modified"] > before["tasa-desempleo-ibague"]["metadata_modified"]
    assert desempleo["notes"] == "Tasa de desempleo, revisada."
    assert desempleo["provenance"] == "Gran Encuesta Integrada de Hogares"
    old_ids = [r["id"] for r in before["tasa-desempleo-ibague"]["resources"]]
    assert [(r["id"], r["format"]) for r in desempleo["resources"]] == [(old_ids[0], "CSV"), (old_ids[1], "ZIP")]
    assert desempleo["estado_flujo"] == "recibido"
    assert search(q="*:*")["count"] == 3
    assert search(q="notes:revisada")["results"][0]["name"] == "tasa-desempleo-ibague"  # indexed again
    activities = call_as("cim-admin", "package_activity_list", id=desempleo["id"])
    assert [a["activity_type"] for a in activities] == ["changed package", "new package"]


@pytest.mark.usefixtures("with_request_context")
def test_frozen_dataset_refuses_the_whole_file_and_published_one_gets_a_proposal(site):
    assert run(good_xlsx()).ok
    desempleo = show("tasa-desempleo-ibague")
    publish(desempleo["id"])
    call_as("cim-admin", "cimibague_workflow_transition", id="perimetro-urbano", to="en_revision")
    datasets, resources = good_rows()
    for row in datasets:
        row["Descripcion"] = "Descripción corregida por la entidad."

    refused = run(xlsx(datasets, resources))

    assert refused.lines() == [
        "Conjuntos de datos, fila 4: El conjunto de datos está «En revisión»: su contenido no cambia mientras se "
        "revisa y aprueba; solicite ajustes para modificarlo"
    ]
    assert show("cobertura-neta-en-educacion")["notes"] == "Cobertura neta en educación básica."
    assert call_as("cim-admin", "cimibague_workflow_revision_list", id=desempleo["id"]) == []

    accepted = run(xlsx(datasets[:2], resources))

    assert accepted.errors == []
    assert [(o.name, o.action) for o in accepted.updated] == [
        ("tasa-desempleo-ibague", "proposed"),
        ("cobertura-neta-en-educacion", "updated"),
    ]
    published = show("tasa-desempleo-ibague")
    assert published["notes"] == "Tasa de desempleo trimestral del área metropolitana."  # the public keeps it
    revisions = call_as("cim-admin", "cimibague_workflow_revision_list", id=desempleo["id"])
    assert [r["status"] for r in revisions] == ["pendiente"]
    assert show("cobertura-neta-en-educacion")["notes"] == "Descripción corregida por la entidad."


@pytest.mark.usefixtures("with_request_context")
def test_identifier_of_another_node_is_an_error(site):
    act(
        "package_create",
        type="observatorios",
        name="perimetro-urbano",
        title="Otro",
        notes="Otro.",
        owner_org=site["otro"]["id"],
        entidad_fuente="dane",
        periodicidad="anual",
        cobertura_geografica=["municipio"],
        contact_name="CIM",
        contact_email="cim@ibague.gov.co",
        observatorio="salud",
    )
    datasets, _resources = good_rows()

    report = run(xlsx(datasets[2:]))

    assert report.lines() == [
        "Conjuntos de datos, fila 2, columna «Identificador (URL)»: el identificador «perimetro-urbano» es de un "
        "conjunto de otro nodo: escriba otro"
    ]
    assert count_datasets() == 1


@pytest.mark.usefixtures("with_request_context")
def test_simulation_writes_nothing(site):
    report = run(good_xlsx(), simulate=True)

    assert report.ok and report.simulated
    assert [(o.name, o.action, o.id) for o in report.created] == [
        ("tasa-desempleo-ibague", "created", None),
        ("cobertura-neta-en-educacion", "created", None),
        ("perimetro-urbano", "created", None),
    ]
    assert count_datasets() == 0


@pytest.mark.usefixtures("with_request_context")
def test_unreadable_files(site):
    assert run(b"\x00\x01garbage", "formato.xls").lines() == [
        "El archivo no es un libro de Excel (.xlsx) ni un CSV: guárdelo como .xlsx e intente de nuevo"
    ]
    assert (
        run(b"PK\x03\x04broken", "formato.xlsx")
        .lines()[0]
        .startswith("El archivo no se pudo leer como libro de Excel (.xlsx):")
    )
    workbook = openpyxl.Workbook()
    workbook.active.title = "Hoja1"
    workbook.create_sheet("Hoja2")
    out = io.BytesIO()
    workbook.save(out)
    assert run(out.getvalue()).lines() == ["El archivo no tiene la hoja «Conjuntos de datos»"]
    assert run(xlsx([])).lines() == ["La hoja «Conjuntos de datos» está vacía"]
    with pytest.MonkeyPatch.context() as patch:  # a "zip bomb": small file, huge once unpacked
        patch.setattr(spreadsheet, "MAX_UNPACKED", 2**20)
        assert run(xlsx([{"Título": f"{n}" * 20000} for n in range(100)])).lines() == [
            "El libro es demasiado grande una vez descomprimido (más de 1 MB): divídalo en varios archivos"
        ]


# ------------------------------------------------------------------------------------------ template


@pytest.mark.usefixtures("with_request_context")
def test_template_has_the_sheets_headers_help_and_validation_lists(site):
    workbook = openpyxl.load_workbook(io.BytesIO(template.build()))

    assert workbook.sheetnames == ["Instrucciones", "Conjuntos de datos", "Recursos", "Listas"]
    assert workbook["Listas"].sheet_state == "hidden"
    assert workbook.active.title == "Conjuntos de datos"
    assert "Formato de recolección de información" in workbook["Instrucciones"]["A1"].value
    datasets = workbook["Conjuntos de datos"]
    headers = [c.value for c in datasets[1]]
    assert headers == [c.label for c in formato.columns()]
    assert headers[:5] == ["Identificador (URL)", "Tipo (eje)", "Nodo", "Título", "Descripción"]
    for label in ("Periodicidad", "Entidad fuente", "Cobertura geográfica", "Licencia", "Serie de valores"):
        assert label in headers
    help_row = {h: c.value for h, c in zip(headers, datasets[2], strict=True)}
    assert help_row["Periodicidad"].startswith("Obligatorio.")
    assert "dd/mm/aaaa" in help_row["Fecha de corte"]
    assert help_row["Observatorio"] == "Obligatorio. Elija de la lista. Solo para: Observatorios."
    assert [c.value for c in workbook["Recursos"][1]] == [
        "Conjunto de datos",
        "URL",
        "Nombre",
        "Descripción",
        "Formato",
        "Fecha de actualización",
        "Tipo de recurso",
    ]

    def options(ws, header: str) -> tuple[list[str], bool]:
        letter = openpyxl.utils.get_column_letter([c.value for c in ws[1]].index(header) + 1)
        validation = next(v for v in ws.data_validations.dataValidation if f"{letter}3:{letter}1002" in str(v.sqref))
        sheet, cells = validation.formula1.split("!")
        values = [row[0].value for row in workbook[sheet.strip("'")][cells.replace("$", "")]]
        return values, bool(validation.showErrorMessage)

    assert options(datasets, "Periodicidad") == (
        [
            "Diaria",
            "Semanal",
            "Mensual",
            "Bimestral",
            "Trimestral",
            "Semestral",
            "Anual",
            "Bienal",
            "Cuatrienal (periodo de gobierno)",
            "Decenal",
            "Irregular",
            "No se actualiza (histórico)",
        ],
        True,
    )
    assert options(datasets, "Tipo (eje)")[0] == [
        "Plan de Desarrollo",
        "Plan de Ordenamiento Territorial (POT)",
        "Observatorios",
        "Políticas Públicas",
        "Información Geográfica",
        "Bases de datos internas y externas",
        "Planeación y Presupuestos Participativos",
        "Indicador",
    ]
    assert options(datasets, "Entidad fuente")[0] == [
        "Departamento Administrativo Nacional de Estadística",
        "Instituto Geográfico Agustín Codazzi",
    ]
    assert options(datasets, "Nodo")[0] == ["Nodo de pruebas", "Observatorios", "Otro nodo"]
    coverage, strict = options(datasets, "Cobertura geográfica")
    assert (coverage[:2], len(coverage), strict) == (["Todo el municipio de Ibagué", "Comuna 1"], 31, False)
    assert "Creative Commons Atribución 4.0 (CC BY 4.0)" in options(datasets, "Licencia")[0]
    resource_types = options(workbook["Recursos"], "Tipo de recurso")[0]
    assert resource_types[:3] == ["Datos", "Documento", "Mapa"]
    assert resource_types[3].startswith("Servicio web")

    # built on request: an entity registered now is in the next template (its title as text, not a formula)
    factories.Group(type="entidad", name="cortolima", title="=Cortolima", tipo_entidad="publica")
    workbook = openpyxl.load_workbook(io.BytesIO(template.build()))
    assert "=Cortolima" in options(workbook["Conjuntos de datos"], "Entidad fuente")[0]
    lists = workbook["Listas"]
    assert [c.data_type for row in lists.iter_rows() for c in row if c.value == "=Cortolima"] == ["s"]


@pytest.mark.usefixtures("with_request_context")
def test_filled_template_imports_and_its_help_row_is_skipped(site):
    workbook = openpyxl.load_workbook(io.BytesIO(template.build()))
    datasets, resources = good_rows()
    for ws, rows, cols in [
        (workbook["Conjuntos de datos"], datasets, formato.columns()),
        (workbook["Recursos"], resources, formato.resource_columns()),
    ]:
        headers = [c.value for c in ws[1]]
        aliases = {formato.plain(n): c.label for c in cols for n in c.names}
        for number, row in enumerate(rows, start=3):
            for key, value in row.items():
                ws.cell(row=number, column=headers.index(aliases[formato.plain(key)]) + 1, value=value)
    out = io.BytesIO()
    workbook.save(out)

    report = run(out.getvalue())

    assert report.errors == []
    assert [(o.row, o.name) for o in report.created] == [
        (3, "tasa-desempleo-ibague"),
        (4, "cobertura-neta-en-educacion"),
        (5, "perimetro-urbano"),
    ]
    assert len(show("tasa-desempleo-ibague")["resources"]) == 2


# ----------------------------------------------------------------------------------------------- CLI


@pytest.mark.usefixtures("with_request_context")
def test_cli_import_simulation_errors_and_template(site, cli, tmp_path):
    good = tmp_path / "formato.xlsx"
    good.write_bytes(good_xlsx())
    args = ["import", str(good), "--nodo", "nodo-pruebas", "--usuario", "pu-editor"]

    simulated = cli.invoke(cimibague, [*args, "--simular"])
    assert simulated.exit_code == 0, simulated.output
    assert "Simulación: 3 creados, 0 actualizados." in simulated.output
    assert count_datasets() == 0

    result = cli.invoke(cimibague, args)
    assert result.exit_code == 0, result.output
    assert "fila 2: tasa-desempleo-ibague (observatorios, nodo observatorios): creado" in result.output
    assert "3 creados, 0 actualizados." in result.output
    assert count_datasets() == 3

    again = cli.invoke(cimibague, args)
    assert again.exit_code == 0, again.output
    assert "0 creados, 3 actualizados." in again.output

    datasets, resources = good_rows()
    datasets[1]["periodicidad"] = "Cada rato"
    resources[0]["Fecha de actualización"] = "ayer"
    bad = tmp_path / "malo.xlsx"
    bad.write_bytes(xlsx(datasets, resources))
    failed = cli.invoke(cimibague, ["import", str(bad), "--nodo", "nodo-pruebas", "--usuario", "pu-editor"])
    assert failed.exit_code == 1
    output_lines = failed.output.splitlines()
    assert (
        "Conjuntos de datos, fila 3, columna «periodicidad»: «Cada rato» no es una opción válida (opciones: Diaria, "
        "Semanal, Mensual, Bimestral, Trimestral, Semestral, Anual, Bienal, Cuatrienal (periodo de gobierno), "
        "Decenal, Irregular, No se actualiza (histórico))"
    ) in output_lines
    assert (
        "Recursos, fila 2, columna «Fecha de actualización»: «ayer» no es una fecha: escríbala como dd/mm/aaaa"
    ) in output_lines
    assert "2 errores: no se importó nada." in output_lines

    unknown = cli.invoke(cimibague, ["import", str(good), "--nodo", "nodo-fantasma"])
    assert unknown.exit_code == 1
    assert "No existe el nodo «nodo-fantasma»" in unknown.output.splitlines()

    refused = cli.invoke(cimibague, ["import", str(good), "--usuario", "miembro"])
    assert refused.exit_code == 1
    assert "no tiene permiso para modificar el conjunto «tasa-desempleo-ibague»" in refused.output

    out = tmp_path / "plantilla.xlsx"
    made = cli.invoke(cimibague, ["template", str(out)])
    assert made.exit_code == 0, made.output
    assert openpyxl.load_workbook(out).sheetnames == ["Instrucciones", "Conjuntos de datos", "Recursos", "Listas"]


# ------------------------------------------------------------------------------------------------ web


def _auth(site, who: str) -> dict[str, str]:
    return {"Authorization": site["users"][who]["token"]}


def _upload(app, site, who: str | None, content: bytes, filename: str = "formato.xlsx", **form: Any):
    return app.post(
        "/formato",
        data={"archivo": (io.BytesIO(content), filename), **form},
        headers=_auth(site, who) if who else {},
        content_type="multipart/form-data",
        follow_redirects=False,
    )


@pytest.mark.ckan_config("WTF_CSRF_ENABLED", False)
def test_editor_uploads_the_form_and_sees_the_report(app, site):
    page = app.get("/formato", headers=_auth(site, "editor")).get_data(as_text=True)
    assert "Formato de recolección de información" in page
    assert 'href="/formato/plantilla.xlsx"' in page
    assert 'name="archivo"' in page and 'enctype="multipart/form-data"' in page
    assert '<option value="nodo-pruebas"' in page and '<option value="observatorios"' in page
    assert "otro-nodo" not in page

    response = _upload(app, site, "editor", good_xlsx(), nodo="nodo-pruebas")
    body = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Importado: 3 conjuntos de datos creados y 0 actualizados." in body
    assert 'href="/observatorios/tasa-desempleo-ibague"' in body
    editor = model.User.get("pu-editor")
    assert {show(n)["creator_user_id"] for n in ("tasa-desempleo-ibague", "perimetro-urbano")} == {editor.id}

    datasets, resources = good_rows()
    datasets[2]["Fecha de corte"] = "31/13/2023"
    body = _upload(app, site, "editor", xlsx(datasets, resources), nodo="nodo-pruebas").get_data(as_text=True)
    assert "No se importó nada: el archivo tiene 1 errores." in body
    assert (
        "Conjuntos de datos, fila 4, columna «Fecha de corte»: «31/13/2023» no es una fecha: escríbala como dd/mm/aaaa"
    ) in body
    assert count_datasets() == 3


@pytest.mark.ckan_config("WTF_CSRF_ENABLED", False)
def test_anonymous_and_members_without_edit_rights_are_refused(app, site):
    for response in (app.get("/formato", follow_redirects=False), _upload(app, site, None, good_xlsx())):
        assert response.status_code == 302
        assert "/user/login" in response.headers["Location"]
    app.get("/formato", headers=_auth(site, "member"), status=403)
    assert _upload(app, site, "member", good_xlsx(), nodo="nodo-pruebas").status_code == 403
    assert count_datasets() == 0
    assert 'href="/formato"' not in app.get("/dataset/", headers=_auth(site, "member")).get_data(as_text=True)
    assert 'href="/formato"' in app.get("/dataset/", headers=_auth(site, "editor")).get_data(as_text=True)


@pytest.mark.ckan_config("WTF_CSRF_ENABLED", False)
def test_staff_of_another_node_cannot_import_into_this_one(app, site):
    page = app.get("/formato", headers=_auth(site, "other")).get_data(as_text=True)
    assert '<option value="otro-nodo"' in page and "nodo-pruebas" not in page

    body = _upload(app, site, "other", good_xlsx(), nodo="nodo-pruebas").get_data(as_text=True)
    assert "Elija uno de sus nodos" in body

    datasets, resources = good_rows()
    for row in datasets:
        row["Nodo"] = "nodo-pruebas"
    body = _upload(app, site, "other", xlsx(datasets[1:], resources[2:]), nodo="otro-nodo").get_data(as_text=True)
    assert (
        "Conjuntos de datos, fila 2, columna «Nodo»: no tiene permiso para crear conjuntos en el nodo «Nodo de pruebas»"
    ) in body
    assert count_datasets() == 0


@pytest.mark.ckan_config("WTF_CSRF_ENABLED", False)
def test_upload_limit_and_missing_file(app, site, monkeypatch):
    from ckanext.cimibague import views

    monkeypatch.setattr(views, "FORMATO_MAX_BYTES", 2**20)
    body = _upload(app, site, "editor", b"x" * (2**20 + 1), "grande.csv", nodo="nodo-pruebas").get_data(as_text=True)
    assert "El archivo pesa más de 1 MB: divídalo en varios archivos" in body
    response = app.post("/formato", data={"nodo": "nodo-pruebas"}, headers=_auth(site, "editor"))
    assert "Elija el archivo que va a importar (.xlsx o .csv)" in response.get_data(as_text=True)
    assert count_datasets() == 0


def test_template_download(app, site):
    response = app.get("/formato/plantilla.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XLSX_TYPE
    assert "formato-recoleccion-cim.xlsx" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "Conjuntos de datos" in workbook.sheetnames


# --------------------------------------------------------------------------------------- cell values


@pytest.mark.unit
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/12/2023", "2023-12-31"),
        ("1/2/2024", "2024-02-01"),
        ("05-03-2024", "2024-03-05"),
        ("2024-03-05", "2024-03-05"),
        (dt.datetime(2024, 3, 5, 0, 0), "2024-03-05"),
        (dt.date(2024, 3, 5), "2024-03-05"),
        (45356, "2024-03-05"),  # a date serial (a date cell formatted as a number)
    ],
)
def test_dates_as_people_write_them(value, expected):
    assert formato.to_date(value) == expected


@pytest.mark.unit
@pytest.mark.parametrize("value", ["31/02/2024", "2024/31/12", "ayer", "12/2024"])
def test_impossible_dates_are_refused(value):
    with pytest.raises(formato.CellError, match="no es una fecha: escríbala como dd/mm/aaaa"):
        formato.to_date(value)


@pytest.mark.unit
def test_options_by_code_label_or_short_form():
    options = formato.Choices(
        [
            ("ordenamiento-territorial", ["Plan de Ordenamiento Territorial (POT)", "Land Use Plan (POT)"]),
            ("cuatrienal", ["Cuatrienal (periodo de gobierno)", "Every four years"]),
            ("otro", ["Otro (lengua indígena o extranjera)", "Other"]),
        ]
    )
    assert options.match("POT") == "ordenamiento-territorial"
    assert options.match("plan de ordenamiento territorial") == "ordenamiento-territorial"
    assert options.match("CUATRIENAL") == "cuatrienal"
    assert options.match("Every four years") == "cuatrienal"
    assert options.match("otro") == "otro"
    assert options.match("Otro (lengua indigena o extranjera)") == "otro"
    assert options.match("periodo") is None
    with pytest.raises(formato.CellError, match="«Comuna 99» no es una opción válida"):
        formato.to_choices("Comuna 1; Comuna 99", formato.Choices([("comuna-1", ["Comuna 1"])]))


@pytest.mark.unit
def test_series_and_extent():
    series_field = {"repeating_subfields": [{"field_name": "periodo"}, {"field_name": "valor"}]}
    assert formato.to_series("2023: 45,5; 2024-T1 = 47\n2024-T2:48", series_field) == [
        {"periodo": "2023", "valor": "45,5"},
        {"periodo": "2024-T1", "valor": "47"},
        {"periodo": "2024-T2", "valor": "48"},
    ]
    with pytest.raises(formato.CellError, match="no es una serie"):
        formato.to_series("2023 45,5", series_field)
    assert json.loads(formato.to_spatial("-75.28,4.40,-75.12,4.48")) == IBAGUE
    assert formato.to_spatial('{"type": "Point", "coordinates": [-75.2, 4.4]}').startswith("{")
    with pytest.raises(formato.CellError, match="no es una geometría GeoJSON ni un rectángulo"):
        formato.to_spatial("4,48; -75,12; 4,40; -75,28")
