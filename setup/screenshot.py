"""Screenshots of a running Odoo in headless Chromium, logged in, for the README.

    .venv/bin/python setup/screenshot.py --base http://localhost:8069 --db c360_demo \\
        --shot /odoo/contacts=docs/screenshots/contacts.png [--shot PATH=FILE ...]

It logs in through Odoo's JSON-RPC (admin/admin by default), hands the session cookie to
Chromium through the DevTools protocol, opens each path and saves a PNG once the page is idle.
``--click CSS`` clicks an element (a notebook tab, say) and ``--script JS`` runs a script (to
scroll, say) before the shot; ``--colors 256`` (the default) stores the PNG with a palette of
that many colours, a fraction of the size (0 keeps full colour). A portal page:
``--login portal --password portal --wait .o_customer_loyalty_portal``.
"""

import argparse
import base64
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import websocket


def login(base, db, user, password):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    payload = {"jsonrpc": "2.0", "params": {"db": db, "login": user, "password": password}}
    request = urllib.request.Request(
        f"{base}/web/session/authenticate",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    with opener.open(request, timeout=60) as response:
        answer = json.load(response)
    if answer.get("error"):
        raise SystemExit(f"error: could not log in as {user}: {answer['error']['data']['message']}")
    for cookie in jar:
        if cookie.name == "session_id":
            return cookie.value
    raise SystemExit("error: Odoo returned no session cookie.")


class Browser:
    def __init__(self, width, height):
        chromium = shutil.which("chromium") or shutil.which("google-chrome")
        if not chromium:
            raise SystemExit("error: Chromium is not installed (Debian: apt-get install chromium).")
        self.profile = tempfile.mkdtemp(prefix="c360-chromium-")
        self.process = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=9333",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.socket = websocket.create_connection(self._page_socket(), timeout=60)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Network.enable")
        # The window size includes the browser's frame: fix the page's own viewport instead.
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _page_socket(self):
        for _ in range(100):
            try:
                with urllib.request.urlopen("http://127.0.0.1:9333/json", timeout=2) as response:
                    pages = [page for page in json.load(response) if page["type"] == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("error: Chromium did not start.")

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def wait_for(self, selector, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                return True
            time.sleep(0.3)
        print(f"warning: nothing matched {selector!r} within {timeout} s", file=sys.stderr)
        return False

    def shoot(self, url, target, wait_selector, settle, click=None, script=None, colors=256):
        self.call("Page.navigate", url=url)
        self.wait_for(wait_selector)
        if click and self.wait_for(click):
            self.evaluate(f"document.querySelector({json.dumps(click)}).click()")
        if script:
            time.sleep(settle)
            self.evaluate(script)
        time.sleep(settle)
        data = base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_bytes(_palette(data, colors) if colors else data)

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def _palette(png, colors):
    """The PNG with an adaptive palette of ``colors`` colours (screens have few colours)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(out, format="PNG", optimize=True)
    return out.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Screenshots of a running Odoo.")
    parser.add_argument("--base", default="http://localhost:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds to wait once the page shows")
    parser.add_argument(
        "--wait", default=".o_action_manager .o_view_controller", help="CSS selector that means loaded"
    )
    parser.add_argument("--click", help="CSS selector of an element to click before each shot")
    parser.add_argument("--script", help="JavaScript to run before each shot (after --click), e.g. to scroll")
    parser.add_argument("--colors", type=int, default=256, help="palette size of the PNG (0: full colour)")
    parser.add_argument(
        "--shot", action="append", required=True, help="PATH=FILE, e.g. /odoo/contacts=out.png"
    )
    args = parser.parse_args(argv)
    session = login(args.base, args.db, args.login, args.password)
    host = urllib.parse.urlparse(args.base).hostname
    browser = Browser(args.width, args.height)
    try:
        browser.call("Network.setCookie", name="session_id", value=session, domain=host, path="/")
        for shot in args.shot:
            path, _sep, target = shot.rpartition("=")
            browser.shoot(
                args.base + path, target, args.wait, args.settle, args.click, args.script, args.colors
            )
            print(f"saved {target}")
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
