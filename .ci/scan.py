#!/usr/bin/env python3
"""Scanners against a running Koppel with data (issue 22): schemathesis over the OpenAPI document with a bearer
token (every check: no 5xx, no response outside the schema) and sqlmap over the API's and pages' query
parameters and the sign-in form (bounded). Starts `koppel serve` (development mode, so its demo sandbox runs
beside it) on free ports with a fresh SQLite file, signs up, takes the demo shop as a trial user does and books
its orders, so the scans meet real data.

Usage: .ci/scan.py [path to the koppel binary]   (default target/debug/koppel; .ci/run builds it first)
"""

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

KOPPEL = sys.argv[1] if len(sys.argv) > 1 else "target/debug/koppel"
PASSWORD = "correct horse battery staple"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, token=None, form=None):
    data, headers = None, {}
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            text = response.read().decode()
            try:
                return response.status, json.loads(text) if text else None
            except ValueError:
                return response.status, text
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, text


def main():
    work = tempfile.mkdtemp(prefix="koppel-scan-")
    log = open(os.path.join(work, "processes.log"), "w")
    processes = []

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(1)))
    try:
        port, afas_port, mplus_port = free_port(), free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        # Development mode: `koppel serve` runs the demo sandbox beside it ("Try it with the sandbox").
        env = dict(os.environ, RUST_LOG="warn", KOPPEL_LISTEN=f"127.0.0.1:{port}", KOPPEL_BASE_URL=base,
                   KOPPEL_DATA_DIR=work,
                   KOPPEL_SANDBOX_AFAS_LISTEN=f"127.0.0.1:{afas_port}",
                   KOPPEL_SANDBOX_MPLUS_LISTEN=f"127.0.0.1:{mplus_port}",
                   KOPPEL_SIGNUP_LIMIT_PER_IP="100000", KOPPEL_LOGIN_LIMIT_PER_IP="100000",
                   KOPPEL_LOGIN_LIMIT_PER_EMAIL="100000")
        serve = subprocess.Popen([KOPPEL, "serve"], stdout=log, stderr=subprocess.STDOUT, text=True, env=env)
        processes.append(serve)
        deadline = time.time() + 120
        while True:
            try:
                if request("GET", f"{base}/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or serve.poll() is not None:
                log.flush()
                sys.exit("scan: koppel serve did not answer:\n" + open(log.name).read())
            time.sleep(0.5)

        email = "scan@koppel.test"
        status, body = request("POST", f"{base}/api/v1/signup", {"email": email, "password": PASSWORD,
                                                                  "company": "Scan BV"})
        assert status == 202, (status, body)
        # The link mailed to the address, from the outbox (no mailbox here), then the password chosen.
        # (queued just after the answer: waited for)
        mail = None
        for _ in range(100):
            with sqlite3.connect(os.path.join(work, "koppel.db")) as db:
                row = db.execute("SELECT body FROM outbox WHERE tenant_id IS NULL AND recipient = ?",
                                 (email,)).fetchone()
            if row:
                mail = row[0]
                break
            time.sleep(0.05)
        assert mail, "no signup mail in the outbox"
        link = re.search(r"/signup/confirm/([0-9a-f]+)", mail).group(1)
        status, body = request("POST", f"{base}/api/v1/signup/confirm", {"token": link, "password": PASSWORD})
        assert status == 201, (status, body)
        tenant = body["tenant_id"]
        token = body["token"]
        browser = Browser(base)
        browser.post("/login", {"email": email, "password": PASSWORD})
        # The demo shop, as a trial user gets it: connections and the sandbox preset.
        browser.post(f"/t/{tenant}/setup/sandbox", {})
        status, body = request("POST", f"{base}/api/v1/flows/orders/runs", token=token)
        assert status == 202, (status, body)
        run_id = body["run_id"]
        for _ in range(240):
            status, run = request("GET", f"{base}/api/v1/runs/{run_id}", token=token)
            if run["status"] not in ("queued", "running"):
                break
            time.sleep(0.5)
        assert run["counts"]["created"] > 0, run
        print(f"scan: data in place (orders run {run['status']}, {run['counts']})", flush=True)
        cookie = browser.cookie_header()

        failed = False
        schemathesis = [
            "schemathesis", "run", f"{base}/api/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--checks", "all",
            # "A request the schema allows is accepted" cannot hold for an API with business rules: a weak
            # password, a flow switched on whose preflight fails, an empty connection, a filter naming no flow
            # are schema-valid and answered with a documented 400 or 422.
            "--exclude-checks", "positive_data_acceptance",
            "--max-examples", os.environ.get("KOPPEL_SCAN_EXAMPLES", "25"),
            # Signing the token out would leave the rest of the scan unauthenticated.
            "--exclude-path", "/api/v1/sessions/current",
            # One worker: with two threads hypothesis's lambda descriptions call `ast.parse` at once, which CPython
            # 3.11 can fail with "SystemError: AST constructor recursion depth mismatch" (a tool crash, not a
            # finding; seen once in CI).
            "--workers", "1",
            "--suppress-health-check", "all",
        ]
        print("scan: " + " ".join(schemathesis[:3]), flush=True)
        # Run in the scratch folder: schemathesis keeps its cache in the working directory.
        failed |= subprocess.run(schemathesis, cwd=work).returncode != 0

        # sqlmap: the query parameters of the JSON API and the pages, and the sign-in form, each bounded.
        targets = [
            (f"{base}/api/v1/activity?q=order&flow=orders&outcome=created&entity=order&from=2026-01-01&to=2026-12-31",
             [f"Authorization: Bearer {token}"], None),
            (f"{base}/api/v1/reconciliation?from=2026-01-01&to=2026-01-31", [f"Authorization: Bearer {token}"], None),
            (f"{base}/api/v1/flows/orders?tenant={tenant}", [f"Authorization: Bearer {token}"], None),
            # A wrong password: every answer is the refusal (401), which sqlmap compares.
            (f"{base}/login", ["Origin: " + base], f"email={email}&password=wrong-password&next=/app"),
        ]
        targets.append((f"{base}/t/{tenant}/activity?q=order&flow=orders&outcome=failed", [f"Cookie: {cookie}"],
                        None))
        for url, headers, data in targets:
            sqlmap = ["sqlmap", "-u", url, "--batch", "--level", "2", "--risk", "1", "--threads", "2",
                      "--smart", "--time-sec", "2", "--output-dir", os.path.join(work, "sqlmap"),
                      "--flush-session", "--disable-coloring"]
            for header in headers:
                sqlmap += ["--header", header]
            if data:
                sqlmap += ["--data", data, "--ignore-code", "401"]
            result = subprocess.run(sqlmap, capture_output=True, text=True)
            found = "identified the following injection point" in result.stdout
            clean = "all tested parameters do not appear to be injectable" in result.stdout
            refused = re.findall(r"HTTP error codes detected during run:\n(.*)", result.stdout)
            if found or not clean or result.returncode != 0:
                print(result.stdout[-4000:], result.stderr[-2000:])
                failed = True
            verdict = "INJECTABLE" if found else ("nothing injectable" if clean else "sqlmap did not finish")
            note = f" (answers seen: {refused[0]})" if refused else ""
            print(f"scan: sqlmap {url.split('?')[0]}: {verdict}{note}", flush=True)
        server_errors = [line for line in open(os.path.join(work, "processes.log")) if "panicked" in line]
        if server_errors:
            print("scan: the server panicked:\n" + "".join(server_errors))
            failed = True
        sys.exit(1 if failed else 0)
    finally:
        stop()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


class Browser:
    """A browser session: cookies kept, same-origin form posts (Koppel refuses cross-site ones)."""

    def __init__(self, base):
        self.base = base
        self.cookies = urllib.request.HTTPCookieProcessor()
        self.opener = urllib.request.build_opener(self.cookies, NoRedirect())

    def post(self, path, form):
        data = urllib.parse.urlencode(form).encode()
        req = urllib.request.Request(f"{self.base}{path}", data=data, method="POST",
                                     headers={"Origin": self.base,
                                              "Content-Type": "application/x-www-form-urlencoded"})
        try:
            self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as answer:
            if answer.code != 303:
                sys.exit(f"scan: POST {path}: {answer.code} {answer.read().decode()[:500]}")

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies.cookiejar)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


if __name__ == "__main__":
    main()
