"""ASReview LAB 3 for benchmarks: its venv (bench/.asreview-venv), and its web server driven
through the HTTP API its own front end uses (asreview/webapp/_api/projects.py, 3.0.8).

A screening step as the LAB front end makes it (RecordCardLabeler, ProjectAPI.js): POST
/api/projects/<id>/record/<record_id> with the label and ``retrain_model=1`` (the default: every
decision queues a retrain to LAB's task manager, which trains in a subprocess of its own), then
GET /api/projects/<id>/get_record for the next record (the top of the last ranking the model
wrote). Both over one kept-alive HTTP/1.1 connection to 127.0.0.1, as a browser would.
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
ASREVIEW_VENV = REPO / "bench" / ".asreview-venv"
ASREVIEW_VERSION = "3.0.8"


def asreview_bin() -> Path:
    return ASREVIEW_VENV / "bin" / "asreview"


def ensure_asreview() -> str:
    """Install ASReview LAB into bench/.asreview-venv when missing; return its version."""
    if not asreview_bin().exists():
        print("  installing ASReview LAB into bench/.asreview-venv (PyPI) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(ASREVIEW_VENV)], check=True)
        subprocess.run(
            [str(ASREVIEW_VENV / "bin" / "pip"), "install", "-q", f"asreview=={ASREVIEW_VERSION}"],
            check=True,
        )
    out = subprocess.run(
        [str(asreview_bin()), "--version"], check=True, capture_output=True, text=True
    ).stdout
    return out.strip().split()[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_csv(path: Path, rows: list[dict], priors: dict[int, int]) -> None:
    """The records as a CSV LAB reads (title, abstract, authors, year, doi); ``included`` holds
    the prior labels (row -> 0/1) and is empty elsewhere, so LAB labels them as prior knowledge
    when the project is created (Project.label_priors: a partly labelled data set)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "authors", "year", "doi", "included"])
        for i, row in enumerate(rows):
            writer.writerow(
                [row[key] for key in ("title", "abstract", "authors", "year", "doi")]
                + [priors.get(i, "")]
            )


class Lab:
    """``asreview lab`` on free ports (web server and task manager) with its projects folder in
    a temporary directory, so nothing of the user's ~/.asreview is read or written."""

    def __init__(self, verbose: bool = False) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench-asreview-"))
        self.port = free_port()
        self.log = (self.folder / "lab.log").open("w+")
        env = dict(os.environ)
        env["ASREVIEW_PATH"] = str(self.folder / "projects")
        env["ASREVIEW_LAB_TASK_MANAGER_ENDPOINT"] = f"localhost:{free_port()}"
        self.process = subprocess.Popen(
            [str(asreview_bin()), "lab", "--host", "127.0.0.1", "--port", str(self.port)]
            + ["--no-browser", "--skip-update-check"]
            + (["-v"] if verbose else []),  # -v: its task manager logs each retrain
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its task manager and training processes: one group
        )
        self.empty_answers: Counter = Counter()  # get_record answers without a record, by status
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        deadline = time.monotonic() + 120
        while True:
            try:
                self.request("GET", "/api/projects")
                self.idle_group = self.group_size()  # before any retrain: the base processes
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"asreview lab did not start:\n{self.log_tail()}") from None
                self.connection.close()
                time.sleep(0.5)

    def group_size(self) -> int:
        """Processes in the group this object started: the server, its task manager and one
        per retrain running (LAB trains each in a subprocess of its own)."""
        count = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ")";
            # a retrain that ended stays a zombie until its parent reaps it: not counted
            state, _, group = stat.rsplit(")", 1)[1].split()[:3]
            if int(group) == self.process.pid and state != "Z":
                count += 1
        return count

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        self.log.seek(0)
        return "\n".join(self.log.read().splitlines()[-lines:])

    def training(self) -> bool:
        """Whether a retrain process is running now."""
        return self.group_size() > self.idle_group

    def stop(self) -> None:
        """SIGTERM to the process group this object started (server, task manager, trainers);
        its folder removed."""
        self.connection.close()
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)  # its projects: tens of MB per size

    # -- HTTP

    def request(self, method: str, path: str, fields: dict | None = None, file=None) -> dict:
        """One request over the kept-alive connection; the JSON answer (error on 4xx/5xx)."""
        headers, body = {}, None
        if file is not None:
            body, content_type = multipart(fields or {}, *file)
            headers["Content-Type"] = content_type
        elif fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:500]!r}")
        return json.loads(data) if data else {}

    # -- a project

    def create_project(self, csv_path: Path) -> str:
        """An oracle (screening) project from the CSV, with LAB's default model (elas_u4)."""
        with csv_path.open("rb") as handle:
            content = handle.read()
        config = self.request(
            "POST", "/api/projects/create", {"mode": "oracle"}, ("file", csv_path.name, content)
        )
        return config["id"]

    def start_review(self, project: str, timeout: float = 900) -> dict:
        """Leave set-up as the front end does (status review, train the first model), and wait
        until the first record ranked by a trained model is served; return it."""
        self.request(
            "PUT", f"/api/projects/{project}/review", {"status": "review", "trigger_model": "true"}
        )
        deadline = time.monotonic() + timeout
        while True:
            answer = self.request("GET", f"/api/projects/{project}/get_record")
            record = answer.get("result")
            if record is not None:
                if not record["state"].get("classifier"):
                    raise RuntimeError(f"first record not ranked by a model: {record['state']}")
                return record
            if time.monotonic() > deadline:
                raise SystemExit(f"no model trained within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def step(self, project: str, record_id: int, label: int) -> tuple[float, dict | None]:
        """Label the record (queueing a retrain, as LAB does by default) and fetch the next:
        the time from sending the label until the next record's answer is read, in ms."""
        start = time.perf_counter()
        self.request(
            "POST",
            f"/api/projects/{project}/record/{record_id}",
            {"record_id": record_id, "label": label, "tags": "[]", "retrain_model": 1},
        )
        answer = self.request("GET", f"/api/projects/{project}/get_record")
        # No record while the review is not finished: LAB's front end shows its set-up page and
        # asks again after 4 s. Asked again at once here (kinder to LAB than its front end), the
        # wait counted in the step and the answers counted (none in the runs recorded so far).
        deadline = time.monotonic() + 60
        while answer.get("result") is None and answer.get("status") != "finished":
            self.empty_answers[answer.get("status")] += 1
            if time.monotonic() > deadline:
                raise RuntimeError(f"no next record from LAB for 60 s: {answer}")
            answer = self.request("GET", f"/api/projects/{project}/get_record")
        return (time.perf_counter() - start) * 1000, answer.get("result")


def multipart(fields: dict, name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
