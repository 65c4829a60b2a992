"""The site in a real browser: Playwright driving Debian's Chromium against a live test site, with axe-core.

- A citizen (anonymous) searches «informacion» without the accent, narrows by a comuna facet, opens the
  dataset and sees its coverage drawn on the map.
- An editor of a node logs in through the login form, creates a dataset through an eje's form and sends it
  to review; an admin of the node approves it; the editor publishes it; only then does an anonymous
  visitor find it.
- axe-core (from npm, tests/browser/package.json) runs inside the pages: home, search, dataset pages, the
  login form and both stages of the dataset form must have no «serious» or «critical» violation, and the
  document language is Spanish (``lang="es"``).

The site is the test site (config/test.ini: test database and Solr core), served by werkzeug from this
process, so what a test creates with CKAN's factories is what the browser sees. External hosts (map tiles,
CDNs) are unreachable for the browser: the pages must work without them.

Every page is saved as a screenshot, with the axe results as JSON, under ``$CIM_BROWSER_ARTIFACTS``
(default ``build/browser-tests/``), one folder per test; the path and the axe summary are printed.
Chromium: ``$CIM_CHROMIUM`` (default /usr/bin/chromium; the tests are skipped, with that reason, where it is
absent). axe-core: ``$CIM_AXE_JS`` (``bin/cim test`` installs it and sets it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from tests import cim_data

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CIM_CHROMIUM", "/usr/bin/chromium")
AXE_JS = Path(os.environ.get("CIM_AXE_JS", ROOT / ".state/node/node_modules/axe-core/axe.min.js"))
ARTIFACTS = Path(os.environ.get("CIM_BROWSER_ARTIFACTS", ROOT / "build/browser-tests"))
PASSWORD = "Clave-de-prueba-2024"
BLOCKING = ("serious", "critical")  # axe impacts that fail a test
IMPACTS = ("critical", "serious", "moderate", "minor")

NO_CHROMIUM = f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium, or set CIM_CHROMIUM)"

pytestmark = pytest.mark.usefixtures("browser", "clean_db", "clean_index", "mail_server")


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture
def live_server(ckan_config, monkeypatch, make_app) -> Iterator[str]:
    """The test site served over HTTP on a free loopback port, from this process (same database, Solr core
    and plugins as the test), in a background thread; its URL. ``ckan.site_url`` is the server's own."""
    server = make_server("127.0.0.1", 0, None, threaded=True, request_handler=_QuietHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setitem(ckan_config, "ckan.site_url", url)
    server.app = make_app().app
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(10)
    server.server_close()


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (no browser download). Where it is absent, every browser test
    is skipped, and the reason is also written out at once so that a run cannot miss it."""
    if not os.access(CHROMIUM, os.X_OK):
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print(f"\nWARNING: {NO_CHROMIUM}", flush=True)
        pytest.skip(NO_CHROMIUM)
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core not found at {AXE_JS}: run the tests with bin/cim test (npm ci), or set CIM_AXE_JS")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            # root in CI needs --no-sandbox; containers have a small /dev/shm; every host but the test
            # server is unresolvable: no map tiles, fonts or CDNs from outside
            args=[
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            ],
        )
        expect.set_options(timeout=10_000)
        yield chromium
        chromium.close()


class Visit:
    """The browser pages of one test: screenshots and axe results saved in the test's folder, pages
    that fail with a server error or a JavaScript exception recorded, the axe summary printed."""

    def __init__(self, browser: Browser, base: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.browser, self.base, self.folder, self.capsys = browser, base, folder, capsys
        self.count = 0
        self.problems: list[str] = []
        self.blocking: dict[str, list[str]] = {}
        self.contexts: list[BrowserContext] = []
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.say(f"browser test artefacts (screenshots, axe JSON): {folder}")

    def say(self, line: str) -> None:
        with self.capsys.disabled():
            print(f"\n  {line}", end="", flush=True)

    def new_page(self, who: str) -> Page:
        """A page in a browser of its own (own cookies), for one person."""
        context = self.browser.new_context(locale="es-CO", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"{who}: JavaScript error on {page.url}: {error}"))
        page.on(
            "response",
            lambda response: (
                response.status >= 500 and self.problems.append(f"{who}: HTTP {response.status} for {response.url}")
            ),
        )
        return page

    def go(self, page: Page, path: str) -> None:
        page.goto(self.base + path)

    def shot(self, page: Page, name: str) -> str:
        """Save the page as ``NN-name.png``; returns the file's stem."""
        page.wait_for_load_state("load")
        self.count += 1
        stem = f"{self.count:02d}-{name}"
        page.screenshot(path=self.folder / f"{stem}.png", full_page=True)
        return stem

    def check(self, page: Page, name: str) -> None:
        """Screenshot, ``lang="es"`` and axe-core on the page as it is; violations that block are kept for
        the test's final assertion (so that every page's results are seen in one run)."""
        stem = self.shot(page, name)
        expect(page.locator("html")).to_have_attribute("lang", "es")
        page.add_script_tag(path=AXE_JS)
        results: dict[str, Any] = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        (self.folder / f"{stem}.axe.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
        per_impact = Counter(v["impact"] for v in results["violations"])
        rules = {impact: [v["id"] for v in results["violations"] if v["impact"] == impact] for impact in IMPACTS}
        summary = ", ".join(
            f"{impact} {per_impact[impact]}" + (f" ({' '.join(rules[impact])})" if rules[impact] else "")
            for impact in IMPACTS
        )
        self.say(
            f"axe-core {results['testEngine']['version']} {stem} {page.url.removeprefix(self.base)}: violations "
            f"{summary}; incomplete {len(results['incomplete'])}, passes {len(results['passes'])}"
        )
        for violation in results["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
                self.blocking.setdefault(stem, []).append(
                    f"{violation['impact']} {violation['id']}: {violation['help']} — {targets[:5]}"
                )

    def verify(self) -> None:
        """The end of a test: no page failed (HTTP 5xx, JavaScript exception) and axe-core found no serious
        or critical violation on any page checked."""
        assert not self.problems, "\n".join(self.problems)
        assert not self.blocking, "axe-core: serious or critical violations\n" + json.dumps(
            self.blocking, ensure_ascii=False, indent=1
        )

    def close(self, failed: bool) -> None:
        """Close the browsers; after a failure, save each page as it was left first."""
        for context in self.contexts:
            if failed:
                for page in context.pages:
                    self.shot(page, "fallo")
            context.close()


@pytest.fixture
def visit(browser, live_server, request, capsys) -> Iterator[Visit]:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    visit = Visit(browser, live_server, folder, capsys)
    failures = request.session.testsfailed
    yield visit
    visit.close(failed=request.session.testsfailed > failures)


def _navigate(page: Page, action: Callable[[], Any]) -> None:
    """Do what leads to another page (a click, Enter, a form sent) and wait until that page has loaded."""
    with page.expect_navigation():
        action()


def _login(visit: Visit, page: Page, user: str) -> None:
    """Log in through CKAN's login form."""
    visit.go(page, "/user/login")
    page.get_by_label(re.compile("Nombre de usuario")).fill(user)
    page.get_by_label(re.compile("Contraseña")).fill(PASSWORD)
    _navigate(page, page.get_by_role("button", name=re.compile("Conectarse|Iniciar sesión", re.IGNORECASE)).click)
    assert "/user/login" not in page.url, f"{user} could not log in"


def _search(page: Page, text: str) -> None:
    """Type in the site's search box and press Enter."""
    box = page.get_by_role("searchbox", name=re.compile("Buscar")).or_(
        page.get_by_role("textbox", name=re.compile("Buscar"))
    )
    box.first.fill(text)
    _navigate(page, lambda: box.first.press("Enter"))


def _result(page: Page, title: str):
    return page.get_by_role("link", name=re.compile(re.escape(title)))


def _step(page: Page, actor: str, label: str, to: str, state: str, comment: str = "", keyboard: bool = False) -> None:
    """As ``actor``, take a workflow step through the panel on the dataset page: open the step's
    disclosure, comment, send; the page shown after the redirect has the new state (``state``, its
    label; ``to``, its code). ``keyboard``: all of it with the keyboard (Enter on the disclosure, Tab to
    the comment, Enter on the button)."""
    panel = page.get_by_role("region", name=re.compile("Flujo de revisión", re.IGNORECASE))
    disclosure = panel.get_by_text(label, exact=True).first
    form = panel.locator("form").filter(has=page.get_by_role("button", name=label, exact=True))
    button = form.get_by_role("button", name=label, exact=True)
    comment_box = form.get_by_label(re.compile("Comentario"))
    if keyboard:
        disclosure.focus()
        page.keyboard.press("Enter")
        expect(button).to_be_visible()
        page.keyboard.press("Tab")
        expect(comment_box).to_be_focused()
        page.keyboard.type(comment)
        button.focus()
        _navigate(page, lambda: page.keyboard.press("Enter"))
    else:
        disclosure.click()
        if comment:
            comment_box.fill(comment)
        _navigate(page, button.click)
    expect(page.get_by_role("region", name=re.compile("Flujo de revisión", re.IGNORECASE))).to_contain_text(state)
    # the step is in the dataset's history, made by the user logged in, with the comment written
    history = cim_data.act("cimibague_workflow_history", id=page.url.rstrip("/").rsplit("/", 1)[-1])
    last = next(event for event in reversed(history) if event["kind"] == "transicion")
    assert (last["to_state"], last["actor"], last["comment"] or "") == (to, actor, comment), last


def test_citizen_searches_without_accent_filters_by_comuna_and_sees_the_map(visit):
    org, entidad = cim_data.nodes_and_entity()
    vias = cim_data.published(
        cim_data.dataset(
            "informacion-geografica",
            org,
            entidad,
            name="vias-urbanas",
            title="Información geográfica de vías urbanas",
            cobertura_geografica=["comuna-7"],
        )
    )
    cim_data.published(
        cim_data.dataset(
            "bases-de-datos",
            org,
            entidad,
            name="hogares-rurales",
            title="Información de hogares rurales",
            cobertura_geografica=["corr-dantas"],
        )
    )
    cim_data.published(
        cim_data.dataset(
            "observatorios",
            org,
            entidad,
            name="mercado-laboral",
            title="Boletín del mercado laboral",
            cobertura_geografica=["municipio"],
            # nothing in it says «información» (nor «CIM», a synonym of «Centro de Información Municipal»)
            contact_name="Secretaría de Desarrollo Económico",
            contact_email="empleo@ibague.gov.co",
        )
    )

    page = visit.new_page("ciudadano")
    visit.go(page, "/")
    visit.check(page, "inicio")
    # keyboard: the first Tab reaches the skip link, which leads to the main content
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=re.compile("Saltar al contenido"))).to_be_focused()

    _search(page, "informacion")
    expect(_result(page, "Información geográfica de vías urbanas").first).to_be_visible()
    expect(_result(page, "Información de hogares rurales").first).to_be_visible()
    expect(_result(page, "Boletín del mercado laboral")).to_have_count(0)
    visit.check(page, "busqueda-informacion")

    # CKAN's facet links load the results in place (htmx) and then change the address
    page.get_by_role("link", name=re.compile(r"Comuna 7\b")).first.click()
    page.wait_for_url(re.compile(r"[?&]cim_cobertura=comuna-7\b"))
    expect(_result(page, "Información geográfica de vías urbanas").first).to_be_visible()
    expect(_result(page, "Información de hogares rurales")).to_have_count(0)
    visit.check(page, "busqueda-comuna-7")

    _navigate(page, _result(page, "Información geográfica de vías urbanas").first.click)
    assert page.url.endswith(f"/informacion-geografica/{vias['name']}")
    expect(page.get_by_role("heading", name="Información geográfica de vías urbanas", level=1)).to_be_visible()
    # the coverage on the map (ckanext-spatial's Leaflet widget), drawn without any external tile
    map_area = page.locator(".leaflet-container")
    expect(map_area).to_be_visible()
    expect(map_area.locator("path.leaflet-interactive")).to_have_count(1)
    box = map_area.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, box
    visit.check(page, "conjunto-con-mapa")
    visit.verify()


def test_editor_creates_admin_approves_editor_publishes_public_finds(visit):
    org, _entidad = cim_data.nodes_and_entity()
    for name, role in (("pu-editor", "editor"), ("pe-admin", "admin")):
        factories.User(name=name, fullname=name.title(), password=PASSWORD, email=f"{name}@ibague.gov.co")
        helpers.call_action("organization_member_create", id=org["id"], username=name, role=role)
    title = "Información del Sisbén por hogar"

    # the editor logs in and fills the eje's form (stage 1: the dataset; stage 2: a resource)
    editor = visit.new_page("editor")
    visit.go(editor, "/user/login")
    visit.check(editor, "ingreso")
    _login(visit, editor, "pu-editor")
    visit.go(editor, "/bases-de-datos/new")
    visit.check(editor, "formulario-conjunto")
    editor.get_by_label(re.compile(r"^\W*Título")).fill(title)
    editor.get_by_label(re.compile(r"^\W*Descripción")).fill("Hogares encuestados por el Sisbén IV, anonimizados.")
    editor.get_by_label(re.compile(r"^\W*Entidad fuente")).select_option(
        label="Departamento Administrativo Nacional de Estadística"
    )
    editor.get_by_label(re.compile(r"^\W*Periodicidad")).select_option(label="Anual")
    editor.get_by_label(re.compile(r"^\W*Cobertura geográfica")).select_option(label=["Comuna 7", "Comuna 8"])
    editor.get_by_label(re.compile(r"^\W*Cobertura temporal desde")).fill("2023-01-01")
    editor.get_by_label(re.compile(r"^\W*Cobertura temporal hasta")).fill("2023-12-31")
    editor.get_by_label(re.compile(r"^\W*Fecha de corte")).fill("2023-12-31")
    editor.get_by_label(re.compile(r"^\W*Contacto \(nombre\)")).fill("Centro de Información Municipal")
    editor.get_by_label(re.compile(r"^\W*Contacto \(correo\)")).fill("cim@ibague.gov.co")
    editor.get_by_label(re.compile(r"^\W*Origen")).select_option(label="Externa")
    editor.get_by_label(re.compile(r"^\W*Tratamiento de datos personales")).select_option(label="Anonimizados")
    visit.shot(editor, "formulario-conjunto-lleno")
    _navigate(editor, editor.get_by_role("button", name=re.compile("Siguiente")).click)
    visit.check(editor, "formulario-recurso")
    editor.get_by_role("button", name="Enlace", exact=True).click()
    editor.get_by_label(re.compile(r"^\W*URL")).fill("https://www.ibague.gov.co/sisben.csv")
    editor.get_by_label(re.compile(r"^\W*Nombre")).fill("Hogares 2023")
    # the last button of the resource stage: it only saves the dataset (in «Recibido»), it does not publish
    _navigate(editor, editor.get_by_role("button", name="Finalizar", exact=True).click)
    expect(editor.get_by_role("heading", name=title, level=1)).to_be_visible()
    visit.check(editor, "conjunto-recibido")
    dataset_url = editor.url
    created = helpers.call_action("package_show", id=dataset_url.rstrip("/").rsplit("/", 1)[-1])
    assert created["type"] == "bases-de-datos" and created["private"] and created["estado_flujo"] == "recibido"
    assert created["cobertura_geografica"] == ["comuna-7", "comuna-8"]
    _step(editor, "pu-editor", "Enviar a revisión", "en_revision", "En revisión", "Listo para revisión.", keyboard=True)
    visit.shot(editor, "enviado-a-revision")

    # the node's admin finds it among what waits for them, and approves it
    admin = visit.new_page("admin")
    _login(visit, admin, "pe-admin")
    _navigate(admin, admin.get_by_role("link", name="Pendientes").first.click)
    visit.shot(admin, "pendientes-admin")
    _navigate(admin, admin.get_by_role("link", name=title).first.click)
    _step(admin, "pe-admin", "Aprobar", "aprobado", "Aprobado", comment="Revisado: metadatos completos.")
    visit.shot(admin, "aprobado")

    # approved is not yet public
    citizen = visit.new_page("ciudadano")
    visit.go(citizen, "/dataset/?q=sisben")
    expect(citizen.get_by_role("heading", level=1)).to_contain_text("sisben")  # the search page, answered
    expect(_result(citizen, title)).to_have_count(0)
    visit.shot(citizen, "busqueda-antes-de-publicar")
    response = citizen.goto(dataset_url)
    assert response is not None and response.status == 404, response

    # the editor publishes it
    editor.reload()
    _step(editor, "pu-editor", "Publicar", "publicado", "Publicado")
    visit.shot(editor, "publicado")

    # and now anyone finds it, from the home page's search box
    visit.go(citizen, "/")
    _search(citizen, "sisben hogar")
    expect(_result(citizen, title).first).to_be_visible()
    visit.shot(citizen, "busqueda-publicado")
    _navigate(citizen, _result(citizen, title).first.click)
    expect(citizen.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(citizen.get_by_role("region", name=re.compile("Flujo de revisión", re.IGNORECASE))).to_have_count(0)
    visit.check(citizen, "conjunto-publico")
    visit.verify()


def test_staff_request_an_entity_and_record_its_answer(visit):
    """The planning pages as the staff use them: the request form, the request and its answer, the
    calendar and the entity scorecard; axe-core on each."""
    import datetime as dt

    from ckanext.cimibague.planning import solicitudes

    org, _entidad = cim_data.nodes_and_entity()
    factories.User(name="pu-editor", fullname="Pu Editor", password=PASSWORD, email="pu-editor@ibague.gov.co")
    helpers.call_action("organization_member_create", id=org["id"], username="pu-editor", role="editor")
    due = (solicitudes.today() + dt.timedelta(days=20)).isoformat()

    editor = visit.new_page("editor")
    _login(visit, editor, "pu-editor")
    _navigate(editor, editor.get_by_role("link", name="Solicitudes").first.click)
    visit.check(editor, "solicitudes")
    _navigate(editor, editor.get_by_role("link", name=re.compile("Nueva solicitud")).click)
    visit.check(editor, "solicitud-formulario")
    editor.get_by_label(re.compile(r"Nodo que solicita")).select_option(label="Nodo de pruebas")
    editor.get_by_label(re.compile(r"^\W*Entidad fuente")).select_option(
        label="Departamento Administrativo Nacional de Estadística"
    )
    editor.get_by_label(re.compile(r"Qué se solicita")).fill("Proyecciones de población 2026")
    editor.get_by_label(re.compile(r"Número de oficio")).fill("1120-045")
    editor.get_by_label(re.compile(r"^\W*Fecha límite")).fill(due)
    _navigate(editor, editor.get_by_role("button", name="Guardar como enviada").click)
    expect(editor.get_by_role("heading", name="Proyecciones de población 2026", level=1)).to_be_visible()
    visit.check(editor, "solicitud-enviada")
    editor.get_by_label(re.compile(r"^\W*Fecha de la respuesta")).fill(solicitudes.today().isoformat())
    editor.get_by_label(re.compile(r"Qué se recibió")).fill("Archivo de proyecciones por comuna")
    _navigate(editor, editor.get_by_role("button", name="Registrar la respuesta").click)
    expect(editor.get_by_text("Se registró la respuesta")).to_be_visible()
    visit.check(editor, "solicitud-respondida")
    _navigate(editor, editor.get_by_role("link", name="Calendario").click)
    visit.check(editor, "calendario")
    _navigate(editor, editor.get_by_role("link", name="Tablero de entidades").click)
    expect(editor.get_by_role("cell", name="1").first).to_be_visible()
    visit.check(editor, "tablero-entidades")
    visit.verify()
