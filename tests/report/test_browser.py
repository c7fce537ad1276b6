"""report.html in a real browser: headless Chromium driven by Selenium.

These tests need Debian's ``chromium`` and ``chromium-driver`` (``scripts/setup.sh`` installs
them). They FAIL, never skip, when the browser is missing: CI installs it, so a missing browser
is a broken set-up, not a reason to pass.
"""

from __future__ import annotations

import base64
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from equitymetrics.report._html import REPORT_SECTIONS

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH = 1280
# A4 in PostScript points (210 x 297 mm at 72 points per inch).
A4_POINTS = (595.28, 841.89)


def _executable(path: str) -> str:
    found = shutil.which(path)
    if found is None:
        pytest.fail(
            f"{path} is missing: the browser tests need Debian's chromium and chromium-driver "
            "(run scripts/setup.sh, which installs them)."
        )
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = Options()
    options.binary_location = _executable(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},900",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(_executable(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def loaded(browser: webdriver.Chrome, report_dir: Path) -> webdriver.Chrome:
    browser.get((report_dir / "report.html").resolve().as_uri())
    return browser


def test_no_console_errors(loaded: webdriver.Chrome) -> None:
    errors = [entry for entry in loaded.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def test_folded_unit_tables_open(loaded: webdriver.Chrome) -> None:
    folded = loaded.find_elements(By.CSS_SELECTOR, "details.unit-table")
    assert folded
    first = folded[0]
    table = first.find_element(By.TAG_NAME, "table")
    assert not table.is_displayed()
    first.find_element(By.TAG_NAME, "summary").click()
    assert table.is_displayed()


def test_every_image_loads(loaded: webdriver.Chrome) -> None:
    images = loaded.execute_script(
        "return Array.from(document.images).map("
        "i => ({complete: i.complete, width: i.naturalWidth, alt: i.alt}));"
    )
    assert len(images) >= 8
    for image in images:
        assert image["complete"]
        assert image["width"] > 0
        assert image["alt"].strip()


@pytest.mark.parametrize(("section", "heading"), REPORT_SECTIONS)
def test_every_section_is_shown(loaded: webdriver.Chrome, section: str, heading: str) -> None:
    element = loaded.find_element(By.ID, section)
    assert element.is_displayed()
    assert heading in element.text


def test_no_script_runs_from_injected_names(loaded: webdriver.Chrome, facts: Any) -> None:
    assert loaded.execute_script("return typeof window.__pwned;") == "undefined"
    assert loaded.execute_script("return document.scripts.length;") == 0
    with pytest.raises(NoAlertPresentException):
        _ = loaded.switch_to.alert.text
    # textContent includes the tables folded away in <details>.
    body = loaded.execute_script("return document.body.textContent;")
    assert facts.script_ward in body
    assert facts.image_ward in body
    assert facts.script_division in body


def test_page_fits_1280_pixels_and_screenshot(loaded: webdriver.Chrome, tmp_path: Path) -> None:
    loaded.set_window_size(WIDTH, 900)
    inner = loaded.execute_script("return window.innerWidth;")
    scroll = loaded.execute_script("return document.documentElement.scrollWidth;")
    assert scroll <= inner, "the page scrolls sideways at 1280 px"
    height = loaded.execute_script("return document.documentElement.scrollHeight;")
    shot = loaded.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": inner, "height": min(height, 6000), "scale": 1},
        },
    )
    path = tmp_path / "report-1280.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(path.read_bytes()[16:20], "big") == inner


def test_print_to_pdf_on_a4(loaded: webdriver.Chrome, tmp_path: Path) -> None:
    printed = loaded.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    pdf = base64.b64decode(printed["data"])
    (tmp_path / "report.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) > 2, "the report should run to several pages"
    for width, height in boxes:
        assert float(width) == pytest.approx(A4_POINTS[0], abs=1.0)
        assert float(height) == pytest.approx(A4_POINTS[1], abs=1.0)
