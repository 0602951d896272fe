"""The rendered reports in a real browser: headless Chromium opens reports/index.html and one region report,
checks that every image loaded and that no section is empty, and saves a screenshot.

Self-contained: the cleaning notebook and the Mamuju (Indonesian) report are rendered into a temporary
reports folder (and the canonical tables into a temporary processed folder) from the field files in
``data/raw/`` (``make demo`` writes them). Chromium is driven through its DevTools protocol with the
``websockets`` package; no browser-automation downloads. Skipped when Chromium is not installed
(Debian: ``apt-get install -y --no-install-recommends chromium``) or there are no field files.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from evalkit import config, pipeline
from evalkit.report.region import region_slug

pytestmark = [pytest.mark.browser, pytest.mark.notebooks, pytest.mark.slow]

CHROMIUM = next((p for p in (os.environ.get("EVALKIT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                             shutil.which("chromium-browser")) if p and Path(p).exists()), None)
RAW = config.paths()["raw"]
REGION, LANG = "Mamuju", "id"
#: Headings every region report has (Indonesian), in order.
REGION_SECTIONS = ("Ringkasan", "Latar Belakang", "Tujuan", "Metodologi", "Jangkauan dan Partisipasi", "Reaksi (L1)",
                   "Pembelajaran (L2)", "Perilaku (L3)", "Hasil (L4)", "Dampak", "Sorotan wilayah", "Tantangan",
                   "Rekomendasi", "Kesimpulan", "Lampiran Metode")

if CHROMIUM is None:
    pytest.skip("Chromium is not installed (Debian: apt-get install -y --no-install-recommends chromium)",
                allow_module_level=True)

# Every <img> loaded, and every h1/h2 section has text, a table or an image before the next heading.
CHECK_JS = r"""
(async () => {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = r; i.onerror = r; })));
  const bad = imgs.filter(i => !(i.naturalWidth > 0)).map(i => (i.getAttribute('src') || '').slice(0, 60));
  const heads = Array.from(document.querySelectorAll('h1, h2'));
  const sections = heads.map((h, k) => {
    const range = document.createRange();
    range.setStartAfter(h);
    if (k + 1 < heads.length) { range.setEndBefore(heads[k + 1]); } else { range.setEndAfter(document.body.lastChild); }
    const frag = range.cloneContents();
    const text = (frag.textContent || '').replace(/\s+/g, ' ').trim();
    const media = frag.querySelectorAll('img, table, svg').length;
    return {heading: h.textContent.replace('¶', '').trim(), chars: text.length, media: media};
  });
  return JSON.stringify({n_img: imgs.length, bad: bad, sections: sections,
                         width: document.documentElement.scrollWidth});
})()
"""


class _Chromium:
    """A headless Chromium with the DevTools protocol on a free port."""

    def __init__(self, profile: Path):
        profile.mkdir(parents=True, exist_ok=True)
        port_file = profile / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)  # a stale file from an earlier run would point at a dead port
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1280,2400", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        pages = []
        for _ in range(50):
            try:
                pages = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5).read())
                break
            except OSError:
                time.sleep(0.1)
        self.ws_url = next(p["webSocketDebuggerUrl"] for p in pages if p.get("type") == "page")

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def _inspect(ws_url: str, url: str, screenshot: Path) -> dict:
    import websockets

    async with websockets.connect(ws_url, max_size=None) as ws:
        counter = 0

        async def call(method, **params):
            nonlocal counter
            counter += 1
            my_id = counter
            await ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
            while True:
                msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
                if msg.get("id") == my_id:
                    if "error" in msg:
                        raise RuntimeError(f"{method}: {msg['error']}")
                    return msg.get("result", {})

        await call("Page.enable")
        await call("Emulation.setDeviceMetricsOverride", width=1280, height=2400, deviceScaleFactor=1, mobile=False)
        await call("Page.navigate", url=url)
        while True:  # wait for the load event
            msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
            if msg.get("method") == "Page.loadEventFired":
                break
        res = await call("Runtime.evaluate", expression=CHECK_JS, awaitPromise=True, returnByValue=True)
        shot = await call("Page.captureScreenshot", format="png")
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        return json.loads(res["result"]["value"])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """01_clean and the Mamuju/id region report rendered into a temporary reports folder, with an index."""
    if not RAW.is_dir() or not [p for p in RAW.iterdir() if not p.name.startswith(".")]:
        pytest.skip(f"no field files in {RAW}: run `make demo` first")
    base = tmp_path_factory.mktemp("browser")
    env = {"EVALKIT_RAW_DIR": str(RAW), "EVALKIT_PROCESSED_DIR": str(base / "processed"),
           "EVALKIT_REPORTS_DIR": str(base / "reports"), "EVALKIT_KEY": "browser-test-key-not-secret"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        reports = base / "reports"
        pipeline.run(only=["01"], workers=1, progress=False, reports_dir=reports)
        step = next(s for s in pipeline.discover(only=["08"])
                    if s.parameters == {"lang": LANG, "region": REGION})
        t0 = time.perf_counter()
        pipeline._run_step(step, str(reports), False)
        seconds = time.perf_counter() - t0
        pipeline.write_index([*pipeline.discover(only=["01"]), step], reports)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {"reports": reports, "region_html": reports / f"{step.output}.html", "seconds": seconds,
            "profile": base / "chromium-profile"}


def _open(rendered, page: Path, name: str) -> tuple[dict, Path]:
    browser = _Chromium(rendered["profile"] / name)
    try:
        shot = rendered["reports"] / "screenshots" / f"{name}.png"
        info = asyncio.run(_inspect(browser.ws_url, page.resolve().as_uri(), shot))
    finally:
        browser.close()
    return info, shot


def test_region_report_renders_with_every_image_and_section(rendered):
    # rendering time is measured by benchmarks/pipeline.py, not asserted here (shared, noisy machines)
    info, shot = _open(rendered, rendered["region_html"], f"region_{region_slug(REGION)}_{LANG}")
    # funnel, reaction, learning, behaviour, services, ikm, event study, barriers
    assert info["n_img"] >= 8, info["n_img"]
    assert info["bad"] == [], f"images that did not load: {info['bad']}"
    headings = [s["heading"] for s in info["sections"]]
    found = [next((h for h in headings if h.startswith(want)), None) for want in REGION_SECTIONS]
    assert None not in found, f"missing sections: {[w for w, f in zip(REGION_SECTIONS, found) if f is None]}"
    assert [headings.index(f) for f in found] == sorted(headings.index(f) for f in found)  # seed order
    empty = [s["heading"] for s in info["sections"] if s["chars"] < 20 and s["media"] == 0]
    assert empty == [], f"empty sections: {empty}"
    assert info["width"] <= 1280  # nothing overflows the page sideways
    assert shot.stat().st_size > 10_000
    import numpy as np
    from PIL import Image

    with Image.open(shot) as im:
        assert im.size == (1280, 2400)
        assert len(np.unique(np.asarray(im.convert("L").resize((64, 120))))) > 10  # not a blank page


def test_index_links_the_region_report_and_loads(rendered):
    html = (rendered["reports"] / "index.html").read_text(encoding="utf-8")
    assert f'href="regions/{region_slug(REGION)}_{LANG}.html"' in html
    info, shot = _open(rendered, rendered["reports"] / "index.html", "index")
    assert info["bad"] == []
    empty = [s["heading"] for s in info["sections"] if s["chars"] < 20 and s["media"] == 0]
    assert empty == [], f"empty sections: {empty}"
    assert shot.exists()
