"""Headless Chromium driven over the DevTools protocol (--remote-debugging-pipe: JSON messages
separated by NUL bytes on fds 3 and 4), for tests that click through pages as a person would:
open a page, fill and submit a form, read what the page shows, take a screenshot. No websocket
and no npm package needed. The school CA is trusted through an NSS db in the browser's own
$HOME (never the user's)."""
import base64
import json
import os
import select
import subprocess
import tempfile
import time


class Browser:
    def __init__(self, folder, school_ca=None, proxy_port=None):
        """`school_ca` None: a browser that does not trust the school CA (yet)."""
        self.folder = folder
        self.home = os.path.join(folder, "home")
        nssdb = os.path.join(self.home, ".pki", "nssdb")
        os.makedirs(nssdb, exist_ok=True)
        subprocess.run(["certutil", "-N", "-d", f"sql:{nssdb}", "--empty-password"], check=True)
        if school_ca:
            subprocess.run(["certutil", "-A", "-d", f"sql:{nssdb}", "-n",
                            "School Web Filter CA", "-t", "C,,", "-i", school_ca], check=True)
        profile = tempfile.mkdtemp(prefix="profile-", dir=folder)
        args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                "--window-size=1200,900", "--remote-debugging-pipe"]
        if proxy_port:
            args += [f"--proxy-server=http://127.0.0.1:{proxy_port}",
                     "--proxy-bypass-list=<-loopback>"]
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()

        def fds():  # the pipe on 3 (commands in) and 4 (answers out), as Chromium expects
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        self.proc = subprocess.Popen(args, preexec_fn=fds, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env={**os.environ, "HOME": self.home})
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next = 0
        self._events = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        self.call("Page.enable", session=True)

    def _receive(self, deadline):
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self._read], [], [], left)
            if ready:
                chunk = os.read(self._read, 1 << 16)
                if not chunk:
                    raise ConnectionError("Chromium went away")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method, session=False, timeout=30, **params):
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self._events.append(answer)

    def _wait_event(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self._events):
                if e.get("method") == name:
                    del self._events[: i + 1]
                    return e
            self._events.append(self._receive(deadline))

    def open(self, url):
        """Loads `url` and waits for the page's load event."""
        self._events.clear()
        self.call("Page.navigate", session=True, url=url)
        self._wait_event("Page.loadEventFired")

    def run(self, js):
        """Evaluates `js` in the page (DevTools' evaluation, which the page's CSP does not
        govern) and returns its value."""
        result = self.call("Runtime.evaluate", session=True, expression=js, returnByValue=True)
        return result.get("result", {}).get("value")

    def submit(self, form_selector, fields, button=None):
        """Fills `fields` ({name: value}) of a form, submits it as a click on its button would,
        and waits for the next page to load."""
        self._events.clear()
        fill = "".join(f"f.querySelector('[name={json.dumps(k)}]').value = {json.dumps(v)};"
                       for k, v in fields.items())
        click = (f"f.querySelector({json.dumps(button)}).click()" if button
                 else "f.requestSubmit()")
        self.run(f"(() => {{ const f = document.querySelector({json.dumps(form_selector)});"
                 f"{fill} {click}; }})()")
        self._wait_event("Page.loadEventFired")

    def click(self, selector):
        """Clicks the first element `selector` finds and waits for the page it leads to."""
        self._events.clear()
        self.run(f"document.querySelector({json.dumps(selector)}).click()")
        self._wait_event("Page.loadEventFired")

    def download(self, url, timeout=30):
        """Follows a link to a file the way a person clicking it would, and returns the bytes
        the browser saved."""
        folder = tempfile.mkdtemp(prefix="downloads-", dir=self.folder)
        self.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=folder)
        try:
            self.call("Page.navigate", session=True, url=url)
        except RuntimeError:
            pass  # a navigation that became a download may say it was aborted
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [f for f in os.listdir(folder) if not f.endswith(".crdownload")]
            if done:
                with open(os.path.join(folder, done[0]), "rb") as f:
                    return f.read()
            time.sleep(0.1)
        raise TimeoutError(f"no download from {url}")

    def text(self):
        return self.run("document.body ? document.body.innerText : ''") or ""

    def url(self):
        return self.run("location.href")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", session=True, format="png",
                         captureBeyondViewport=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except (OSError, TimeoutError, ConnectionError, RuntimeError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._read)
        os.close(self._write)
