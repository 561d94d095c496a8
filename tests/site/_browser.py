"""A small DevTools-protocol client for Debian's headless chromium (websocket-client; no Selenium, no Playwright).

Chosen because it is the lightest thing that can click, run a page's scripts, wait for them and inject axe-core:
``chromium --dump-dom`` cannot interact, and Selenium needs a chromedriver matching the browser.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import time
import urllib.request
from pathlib import Path

import websocket

CHROMIUM = Path("/usr/bin/chromium")


class BrowserError(RuntimeError):
    pass


class Browser:
    def __init__(self, profile: Path, *, width: int = 1280, height: int = 900) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        port_file = profile / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--disable-quic",
             "--remote-debugging-port=0", "--remote-allow-origins=*", f"--user-data-dir={profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise BrowserError("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            page = next(t for t in json.load(resp) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self._ids = itertools.count(1)
        self.events: list[dict] = []
        self.errors: list[str] = []   # script exceptions and console errors of every page since the start
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)

    def send(self, method: str, **params) -> dict:
        i = next(self._ids)
        self.ws.send(json.dumps({"id": i, "method": method, "params": params}))
        while True:
            msg = self._recv()
            if msg.get("id") == i:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def _wait_event(self, name: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        for k, ev in enumerate(self.events):
            if ev.get("method") == name:
                return self.events.pop(k)
        while time.monotonic() < deadline:
            msg = self._recv()
            if msg.get("method") == name:
                return msg
            self.events.append(msg)
        raise BrowserError(f"timed out waiting for {name}")

    def goto(self, url: str) -> None:
        self.events.clear()
        self.send("Page.navigate", url=url)
        self._wait_event("Page.loadEventFired")

    def run(self, expression: str):
        """Evaluate JavaScript in the page (awaiting a promise) and return its value."""
        res = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in res:
            raise BrowserError(f"{expression[:80]}…: {res['exceptionDetails'].get('exception', {}).get('description') or res['exceptionDetails']}")
        return res.get("result", {}).get("value")

    def click(self, selector: str) -> None:
        """Click the element and wait for the page it leads to."""
        self.events.clear()
        found = self.run(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
                         f"if (!e) return false; e.click(); return true; }})()")
        if not found:
            raise BrowserError(f"no element {selector} on {self.url}")
        self._wait_event("Page.loadEventFired")

    @property
    def url(self) -> str:
        return self.run("location.href")

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        import base64

        params = {"format": "png"}
        if full_page:
            size = self.run("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 6000), "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", **params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def _recv(self) -> dict:
        msg = json.loads(self.ws.recv())
        if msg.get("method") == "Runtime.exceptionThrown":
            d = msg["params"]["exceptionDetails"]
            self.errors.append(f"{d.get('url', '')}: {d.get('exception', {}).get('description') or d.get('text')}")
        elif msg.get("method") == "Runtime.consoleAPICalled" and msg["params"].get("type") == "error":
            self.errors.append(" ".join(str(a.get("value")) for a in msg["params"].get("args", [])))
        return msg

    def console_errors(self) -> list[str]:
        return list(self.errors)

    def axe(self, axe_source: str) -> list[dict]:
        """axe-core's violations on the current page (rule, impact, number of nodes, first targets)."""
        self.run(axe_source + "\n;0")
        return self.run("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => "
                        "({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, "
                        "targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))")

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
