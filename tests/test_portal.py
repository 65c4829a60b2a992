"""The public portal (issue 7, theme and maps): the home with the ejes and the latest publications, the
search page with the CIM facets and the bbox map, dataset pages in sections with the map of their
coverage, source entity pages and «Acerca del CIM». What a visitor sees is only what they may see: an
unpublished dataset never reaches the public's HTML, not even as a count."""

from __future__ import annotations

from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from bs4 import BeautifulSoup

from tests import cim_data

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

HIDDEN_TITLE = "Encuesta reservada zanahoria"  # an unpublished dataset: must never reach the public


def _soup(app: Any, url: str, headers: dict[str, str] | None = None, status: int = 200) -> BeautifulSoup:
    response = app.get(url, headers=headers or {}, status=status)
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _entity(**fields: Any) -> dict[str, Any]:
    data = {
        "type": "entidad",
        "name": "dane",
        "title": "Departamento Administrativo Nacional de Estadística",
        "tipo_entidad": "publica",
        "orden": "nacional",
    }
    return factories.Group(**{**data, **fields})


def _node_of_eje(name: str = "observatorios") -> dict[str, Any]:
    """A node named as one of the seven ejes (the home counts datasets per eje node)."""
    return factories.Organization(name=name, title=name.replace("-", " ").capitalize())


def _published_and_hidden(dataset_type: str = "observatorios", **changes: Any) -> tuple[dict, dict]:
    """In the same node and entity: one published dataset and one received but never published."""
    org, entidad = _node_of_eje(dataset_type if dataset_type != "indicador" else "plan-de-desarrollo"), _entity()
    shown = cim_data.published(cim_data.dataset(dataset_type, org, entidad, **changes))
    hidden = cim_data.act(
        "package_create",
        **cim_data.dataset(dataset_type, org, entidad, name="reservado-zanahoria", title=HIDDEN_TITLE),
    )
    assert hidden["private"] and hidden["estado_flujo"] == "recibido"
    return shown, hidden


def _section(soup: BeautifulSoup, section_id: str) -> Any:
    section = soup.select_one(f"section.cimibague-section-{section_id}")
    assert section is not None, f"no section {section_id}"
    return section


def _fields(section: Any) -> dict[str, str]:
    """field name -> (label, shown value) of a section's definition list."""
    return {
        div["data-field"]: (div.dt.get_text(" ", strip=True), div.dd.get_text(" ", strip=True))
        for div in section.select("div.cimibague-field")
    }


class TestHome:
    def test_ejes_count_only_what_the_public_may_see_and_unpublished_titles_never_appear(self, app):
        shown, _hidden = _published_and_hidden("observatorios")
        body = app.get("/").get_data(as_text=True)
        soup = BeautifulSoup(body, "html.parser")
        ejes = {li["data-eje"]: int(li["data-count"]) for li in soup.select("li.cimibague-eje")}
        assert list(ejes) == [
            "plan-de-desarrollo",
            "ordenamiento-territorial",
            "observatorios",
            "politicas-publicas",
            "informacion-geografica",
            "bases-de-datos",
            "planeacion-participativa",
        ]
        assert ejes["observatorios"] == 1  # two datasets in the node, one published
        assert sum(ejes.values()) == 1
        eje = soup.select_one('li[data-eje="observatorios"]')
        assert eje.select_one("a")["href"].endswith("/organization/observatorios")
        latest = [li["data-dataset"] for li in soup.select("li.cimibague-latest-item")]
        assert latest == [shown["name"]]
        assert HIDDEN_TITLE not in body and "reservado-zanahoria" not in body

    def test_staff_get_the_same_public_home(self, app):
        """The home is the public face: the node's own editor does not get the unpublished one listed."""
        _shown, hidden = _published_and_hidden("observatorios")
        editor = factories.UserWithToken()
        helpers.call_action(
            "organization_member_create", id=hidden["owner_org"], username=editor["name"], role="editor"
        )
        assert cim_data.call_as(editor["name"], "package_show", id=hidden["id"])["title"] == HIDDEN_TITLE
        soup = _soup(app, "/", headers={"Authorization": editor["token"]})
        assert int(soup.select_one('li[data-eje="observatorios"]')["data-count"]) == 1
        assert HIDDEN_TITLE not in str(soup)

    def test_latest_publications_newest_first(self, app):
        org, entidad = _node_of_eje("observatorios"), _entity()
        first = cim_data.published(cim_data.dataset("observatorios", org, entidad, name="primero", title="Primero"))
        second = cim_data.published(cim_data.dataset("observatorios", org, entidad, name="segundo", title="Segundo"))
        soup = _soup(app, "/")
        assert [li["data-dataset"] for li in soup.select("li.cimibague-latest-item")] == [second["name"], first["name"]]
        item = soup.select_one('li[data-dataset="segundo"]')
        assert item.select_one("a")["href"].endswith("/observatorios/segundo")
        assert "Departamento Administrativo Nacional de Estadística" in item.get_text()  # the entity by title

    def test_identity_search_box_and_about_link(self, app):
        soup = _soup(app, "/")
        assert soup.html["lang"] == "es"
        assert soup.select_one('[role="main"] h1') is not None
        header = soup.select_one("header.masthead")
        assert "Centro de Información Municipal" in header.get_text()
        assert "Alcaldía de Ibagué" in header.get_text()
        assert header.select_one('a[href$="/acerca"]') is not None
        footer = soup.select_one("footer.site-footer")
        assert "Centro de Información Municipal — Alcaldía de Ibagué" in footer.get_text()
        assert footer.select_one('a[href$="/acerca"]') is not None
        search = soup.select_one("form.cimibague-home-search")
        assert search["action"].endswith("/dataset/") and search["method"] == "get"
        field = search.select_one('input[name="q"]')
        assert search.select_one(f'label[for="{field["id"]}"]') is not None


class TestSearch:
    def test_cim_facets_in_spanish_with_whole_labels(self, app):
        _published_and_hidden("observatorios")
        soup = _soup(app, "/dataset/")
        titles = [h.get_text(strip=True) for h in soup.select("section.module h2.module-heading")]
        for title in ("Eje temático", "Nodo", "Entidad fuente", "Comuna o corregimiento", "Periodicidad"):
            assert title in titles, titles
        labels = [s.get_text(strip=True) for s in soup.select(".cimibague-facet .item-label")]
        assert "Departamento Administrativo Nacional de Estadística" in labels  # not cut at 22 characters
        assert {"Comuna 7", "Corregimiento Dantas", "Anual", "Observatorios"} <= set(labels)
        assert not any(label.startswith("cim_") or label.startswith("[") for label in labels)
        assert HIDDEN_TITLE not in str(soup)
        assert soup.select_one("h1").get_text(" ", strip=True).startswith("1 ")

    def test_bbox_widget_and_bbox_filter(self, app):
        org, entidad = _node_of_eje("informacion-geografica"), _entity()
        inside = cim_data.published(cim_data.dataset("informacion-geografica", org, entidad))
        cim_data.published(cim_data.dataset("observatorios", org, entidad))  # no spatial extent
        for url in ("/dataset/", "/informacion-geografica/"):
            soup = _soup(app, url)
            widget = soup.select_one('[data-module="spatial-query"]')
            assert widget is not None, url
            assert widget["data-default_extent"].startswith("[[4.")  # initial view on Ibagué
            assert "custom_url" in widget["data-module-map_config"]
            assert soup.select_one("form#dataset-search-form") is not None  # where the widget puts ext_bbox
            assert "Filtrar por ubicación" in soup.get_text() or "Filter by location" in soup.get_text()
        soup = _soup(app, "/dataset/?ext_bbox=-75.3,4.35,-75.1,4.5")
        found = [a["href"].rsplit("/", 1)[-1] for a in soup.select(".dataset-heading a")]
        assert found == [inside["name"]]
        help_text = soup.select_one(".cimibague-spatial-query-help").get_text(" ", strip=True)
        assert "-75.3,4.35,-75.1,4.5" in help_text
        assert soup.select_one(".cimibague-spatial-query-help a")["href"].endswith("/dataset/")


class TestDatasetPage:
    def test_fields_in_sections_with_labels_from_the_schema(self, app):
        org, entidad = _node_of_eje("informacion-geografica"), _entity()
        dataset = cim_data.published(cim_data.dataset("informacion-geografica", org, entidad))
        soup = _soup(app, f"/informacion-geografica/{dataset['name']}")
        headings = [s.h2.get_text(strip=True) for s in soup.select("section.cimibague-section")]
        assert headings == [
            "Descripción",
            "Cobertura geográfica y temporal",
            "Fuente y contacto",
            "Actualización",
            "Uso y licencia",
            "Detalles de «Información Geográfica»",
        ]
        description = _section(soup, "descripcion")
        assert "Conjunto de prueba." in description.get_text()
        assert "prueba" in [a.get_text(strip=True) for a in description.select(".tag-list a")]

        cobertura = _fields(_section(soup, "cobertura"))
        assert cobertura["cobertura_geografica"][0] == "Cobertura geográfica"
        assert "Comuna 7" in cobertura["cobertura_geografica"][1]
        assert "Corregimiento Dantas" in cobertura["cobertura_geografica"][1]
        # a calendar date, written out, not shifted to the day before by the Bogotá time zone
        assert cobertura["temporal_start"] == ("Cobertura temporal desde", "1 de enero de 2020")
        assert cobertura["temporal_end"] == ("Cobertura temporal hasta", "31 de diciembre de 2023")

        fuente_section = _section(soup, "fuente")
        fuente = _fields(fuente_section)
        assert fuente["entidad_fuente"] == ("Entidad fuente", "Departamento Administrativo Nacional de Estadística")
        assert fuente_section.select_one('[data-field="entidad_fuente"] a')["href"].endswith("/entidad/dane")
        assert fuente["contact_email"][1] == "cim@ibague.gov.co"

        actualizacion = _fields(_section(soup, "actualizacion"))
        assert actualizacion["periodicidad"] == ("Periodicidad", "Anual")
        assert actualizacion["fecha_corte"] == ("Fecha de corte", "31 de diciembre de 2023")
        assert "metadata_modified" in actualizacion

        uso = _fields(_section(soup, "uso"))
        assert uso["license_id"][0] == "Licencia" and "Creative Commons" in uso["license_id"][1]
        assert uso["nivel_acceso"] == ("Nivel de acceso (Ley 1712 de 2014)", "Pública")

        tipo = _fields(_section(soup, "tipo"))
        assert tipo["sistema_referencia"] == ("Sistema de referencia", "MAGNA-SIRGAS / Origen Nacional (EPSG:9377)")
        assert tipo["escala"] == ("Escala", "1:25000")  # as the validator stores it
        # every field is in one section only; the workflow state and the raw GeoJSON in none
        shown = [div["data-field"] for div in soup.select("div.cimibague-field")]
        assert len(shown) == len(set(shown))
        assert "estado_flujo" not in shown and "spatial" not in shown

    def test_sections_in_english(self, app):
        org, entidad = _node_of_eje("informacion-geografica"), _entity()
        dataset = cim_data.published(cim_data.dataset("informacion-geografica", org, entidad))
        soup = _soup(app, f"/en/informacion-geografica/{dataset['name']}")
        assert soup.html["lang"] == "en"
        assert _section(soup, "cobertura").h2.get_text(strip=True) == "Geographic and temporal coverage"
        assert _fields(_section(soup, "tipo"))["sistema_referencia"][0] == "Reference system"
        assert _fields(_section(soup, "cobertura"))["temporal_start"][1] == "January 1, 2020"

    def test_type_specific_sections(self, app):
        org, entidad = _node_of_eje("plan-de-desarrollo"), _entity()
        dataset = cim_data.published(cim_data.dataset("indicador", org, entidad))
        soup = _soup(app, f"/indicador/{dataset['name']}")
        tipo = _section(soup, "tipo")
        assert tipo.h2.get_text(strip=True) == "Detalles de «Indicador»"
        fields = _fields(tipo)
        assert fields["unidad_medida"] == ("Unidad de medida", "Porcentaje")
        # the series as a table beside the chart (its text alternative): a column per subfield
        table = tipo.select_one('[data-field="serie"] table')
        assert [th.get_text(strip=True) for th in table.select("thead th")] == ["Periodo", "Valor"]
        rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in table.select("tbody tr")]
        assert [row[0] for row in rows] == ["2023", "2024-T1"]

    def test_map_of_the_coverage_only_with_a_spatial_extent(self, app):
        org, entidad = _node_of_eje("informacion-geografica"), _entity()
        geo = cim_data.published(cim_data.dataset("informacion-geografica", org, entidad))
        soup = _soup(app, f"/informacion-geografica/{geo['name']}")
        section = _section(soup, "cobertura")
        widget = section.select_one('[data-module="dataset-map"]')
        assert widget is not None
        assert '"type":"Polygon"' in widget["data-extent"]
        assert "tile.openstreetmap.org" in widget["data-module-map_config"]  # ckanext.spatial.common_map.*
        text = section.select_one(".cimibague-map-text").get_text(" ", strip=True)
        for bound in ("-75,28", "4,4", "-75,12", "4,48"):  # west, south, east, north, in Spanish notation
            assert bound in text, text
        other = cim_data.published(cim_data.dataset("observatorios", org, entidad))
        soup = _soup(app, f"/observatorios/{other['name']}")
        assert soup.select_one('[data-module="dataset-map"]') is None
        assert soup.select_one(".cimibague-map") is None

    def test_a_point_is_described_by_its_coordinates(self, app):
        org, entidad = _node_of_eje("informacion-geografica"), _entity()
        point = {"type": "Point", "coordinates": [-75.2322, 4.4389]}
        geo = cim_data.published(cim_data.dataset("informacion-geografica", org, entidad, spatial=point))
        soup = _soup(app, f"/en/informacion-geografica/{geo['name']}")
        text = soup.select_one(".cimibague-map-text").get_text(" ", strip=True)
        assert "-75.2322" in text and "4.4389" in text


class TestEntityPage:
    def test_entity_data_and_only_its_published_datasets(self, app):
        org = _node_of_eje("observatorios")
        entidad = _entity(
            sigla="DANE",
            nit="800.113.389-7",
            sector="estadistica",
            contacto_nombre="Oficina de atención",
            contacto_correo="contacto@dane.gov.co",
            sitio_web="https://www.dane.gov.co",
        )
        shown = cim_data.published(cim_data.dataset("observatorios", org, entidad))
        cim_data.act(
            "package_create",
            **cim_data.dataset("observatorios", org, entidad, name="reservado-zanahoria", title=HIDDEN_TITLE),
        )
        body = app.get(f"/entidad/{entidad['name']}").get_data(as_text=True)
        soup = BeautifulSoup(body, "html.parser")
        assert soup.select_one("h1").get_text(strip=True) == "Departamento Administrativo Nacional de Estadística"
        info = _fields(soup.select_one("section.cimibague-entity-info"))
        assert info["sigla"] == ("Sigla", "DANE")
        assert info["nit"] == ("NIT", "800113389-7")
        assert info["sector"] == ("Sector", "Información estadística")
        assert info["tipo_entidad"] == ("Tipo", "Pública")
        assert info["contacto_correo"][1] == "contacto@dane.gov.co"
        assert info["package_count"][1] == "1"
        listed = [a["href"].rsplit("/", 1)[-1] for a in soup.select(".dataset-heading a")]
        assert listed == [shown["name"]]
        assert HIDDEN_TITLE not in body and "reservado-zanahoria" not in body

    def test_entity_list_counts_entities_in_words(self, app):
        _entity()
        soup = _soup(app, "/entidad/")
        count = soup.select_one(".cimibague-search-count").get_text(strip=True)
        assert "entidads" not in count and count.startswith("1 ")


class TestEjePages:
    def test_the_nodes_are_called_thematic_axes(self, app):
        _node_of_eje()
        soup = _soup(app, "/organization/")
        assert soup.find("h1").get_text(strip=True) == "Ejes temáticos"
        assert "Organizaciones" not in soup.get_text(" ")
        assert "Ejes temáticos" in _soup(app, "/organization/observatorios").select_one(".breadcrumb").get_text(" ")


class TestAcerca:
    def test_about_page_in_spanish(self, app):
        soup = _soup(app, "/acerca")
        assert soup.html["lang"] == "es"
        article = soup.select_one("article.cimibague-acerca")
        assert article["lang"] == "es"
        assert article.h1.get_text(strip=True) == "Acerca del Centro de Información Municipal (CIM)"
        text = article.get_text(" ", strip=True)
        for words in ("PRO-PÉT-03", "Recibido", "En revisión", "En socialización", "Aprobado", "Publicado"):
            assert words in text, words
        for eje in ("Plan de Desarrollo", "Observatorios", "Planeación y Presupuestos Participativos"):
            assert eje in text
        steps = article.select("ol.cimibague-steps > li")
        assert len(steps) == 7
        assert [a["href"] for a in soup.select("nav.cimibague-toc a")] == [
            "#que-hace",
            "#ejes",
            "#origen",
            "#revision",
            "#procedimiento",
            "#uso",
        ]
        assert all(article.select_one(f"h2{anchor}") for anchor in ("#que-hace", "#ejes", "#revision"))

    def test_about_page_in_english(self, app):
        soup = _soup(app, "/en/acerca")
        assert soup.html["lang"] == "en"
        article = soup.select_one("article.cimibague-acerca")
        assert article["lang"] == "en"
        assert article.h1.get_text(strip=True) == "About the Centro de Información Municipal (CIM)"
        assert "Development Plan" in article.get_text()  # the ejes in English
        assert len(article.select("ol.cimibague-steps > li")) == 7
