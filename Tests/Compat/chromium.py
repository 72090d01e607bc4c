"""Headless Chromium driven over the DevTools protocol, for the web view's browser test.

The protocol runs over a pipe (`--remote-debugging-pipe`: Chromium reads commands on fd 3
and writes answers and events on fd 4, each JSON message ended by a NUL byte), so no port
and no websocket library are needed.

    with Chromium(workdir) as browser:
        page = browser.open("http://localhost:5005/")
        page.problems        # console errors, exceptions, failed or >= 400 loads
        page.links           # absolute hrefs of every <a>
        browser.screenshot("list.png")
"""

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class DevToolsError(Exception):
    pass


class Page:
    def __init__(self, url):
        self.url = url
        self.problems = []
        self.responses = {}
        self.links = []
        self.title = ""


class Chromium:
    # Hang guard for one command or one page load; never a timed assertion.
    TIMEOUT = 120

    def __init__(self, workdir, width=1280, height=900):
        self.workdir = workdir
        self.width = width
        self.height = height
        self.next_id = 0
        self.buffer = b""
        self.events = []
        self.session = None

    def __enter__(self):
        binary = chromium_binary()
        if binary is None:
            raise DevToolsError("chromium is not installed (scripts/install-deps.sh installs it)")
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()

        def wire_fds():
            # Move the pipe ends out of the way first, then onto fds 3 and 4.
            read_end = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)
            # Nothing else of pytest's (its saved copy of the run's stdout among them): a
            # browser process that outlived the test must not hold the CI log open.
            os.closerange(5, os.sysconf("SC_OPEN_MAX"))

        self.profile = tempfile.mkdtemp(prefix="odcs-chromium-")
        self.log = open(os.path.join(self.workdir, "chromium.log"), "wb")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",  # tests run as root
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                "--user-data-dir=" + self.profile,
                "--window-size=%d,%d" % (self.width, self.height),
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            close_fds=False,
            preexec_fn=wire_fds,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        target = self.command("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.command("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.command(domain + ".enable")
        self.command(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        return self

    def __exit__(self, *exc):
        try:
            self.command("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self.to_browser, self.from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- the wire --------------------------------------------------------------------------

    def send(self, message):
        data = json.dumps(message).encode() + b"\0"
        while data:
            written = os.write(self.to_browser, data)
            data = data[written:]

    def receive(self, deadline):
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise DevToolsError("no answer from chromium (see chromium.log)")
            if self.process.poll() is not None:
                raise DevToolsError("chromium exited with %s (see chromium.log)" % self.process.returncode)
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise DevToolsError("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def command(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        self.send(message)
        deadline = time.monotonic() + self.TIMEOUT
        while True:
            answer = self.receive(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise DevToolsError("%s: %s" % (method, answer["error"]))
                return answer.get("result", {})
            if "method" in answer:
                self.events.append(answer)

    def wait_for_event(self, method):
        deadline = time.monotonic() + self.TIMEOUT
        while True:
            for index, event in enumerate(self.events):
                if event["method"] == method:
                    del self.events[index]
                    return event
            self.events.append(self.receive(deadline))

    # -- pages -----------------------------------------------------------------------------

    def open(self, url):
        """Loads url and reports what went wrong on the way (console errors, exceptions,
        loads that failed or answered >= 400), the document's links and title."""
        self.events.clear()
        page = Page(url)
        result = self.command("Page.navigate", {"url": url})
        if result.get("errorText"):
            page.problems.append("navigation failed: %s" % result["errorText"])
            return page
        self.wait_for_event("Page.loadEventFired")
        # Anything the page still loads after the load event (a late favicon request) shows
        # up before this round trip's answer.
        page.links = self.evaluate("Array.from(document.querySelectorAll('a[href]'), a => a.href)")
        page.title = self.evaluate("document.title")
        self.evaluate("1")
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
                page.problems.append("console %s: %s" % (params["type"], params.get("args")))
            elif method == "Runtime.exceptionThrown":
                page.problems.append("exception: %s" % params.get("exceptionDetails"))
            elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
                entry = params["entry"]
                page.problems.append("log %s: %s %s" % (entry["level"], entry.get("text"), entry.get("url", "")))
            elif method == "Network.responseReceived":
                response = params["response"]
                page.responses[response["url"]] = response["status"]
                if response["status"] >= 400:
                    page.problems.append("%s answered %s" % (response["url"], response["status"]))
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                page.problems.append("load failed: %s" % params.get("errorText"))
        return page

    def evaluate(self, expression):
        result = self.command("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise DevToolsError("evaluate %r: %s" % (expression, result["exceptionDetails"]))
        return result["result"].get("value")

    def screenshot(self, path):
        """Writes a PNG of the whole page (not only the viewport) to path."""
        data = self.command("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path
