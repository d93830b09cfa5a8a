"""`FakeSheets`: a local Google Sheets API v4 (+ the Drive v3 calls gspread makes) served
over real HTTP on 127.0.0.1, with the controls tests need.

Typical use::

    with FakeSheets() as fake:
        key = fake.add_spreadsheet("Reports", tabs={"Sheet1": [["a", "b"], [1, 2]]})
        gc = fake.client()  # a real gspread.Client talking to the fake
        assert gc.open_by_key(key).sheet1.get_all_values() == [["a", "b"], ["1", "2"]]
        assert fake.counts["values.get"] == 1

Each request is handled in this order: count it by kind, run any "person's edit" hook
armed for it, apply an armed fault (status / slow / dropped connection), take quota,
then answer from the store. All state sits behind one re-entrant lock, so hooks (which
run inside it) can use the data helpers freely.
"""

from __future__ import annotations

import collections
import contextlib
import json
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from . import a1, conditional, discovery
from .controls import Clock, Fault, Faults, Hook, Hooks, Quota, monotonic
from .drive_files import DriveControls, DriveState
from .edits import PersonEdits
from .errors import PAYLOAD_LIMIT, ApiError, bad_request, payload_too_large
from .model import IdMaker, Sheet, Spreadsheet
from .routes import READ_KINDS, WRITE_KINDS, Route, Store, check_service, classify, dispatch
from .service import control
from .values_api import write_block

USER_HEADER = "X-Fake-User"  # which client a request comes from (for per-user quotas)

if TYPE_CHECKING:
    import gspread

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


@dataclass(frozen=True)
class RequestRecord:
    """One request the fake received and how it answered (``status`` 0 = dropped)."""

    method: str
    path: str
    kind: str
    status: int


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that can hang up on its keep-alive connections when stopping."""

    daemon_threads = True

    def __init__(self, fake: FakeSheets, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.fake = fake
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = super().get_request()
        with self._open_lock:
            self._open.add(sock)
        return sock, addr

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Keep the fake's own failures loud, client hang-ups quiet."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def hang_up(self) -> None:
        """Close every client connection (ends handler threads blocked on keep-alive)."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like Google's front end
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and
    # delayed ACKs add ~40 ms to every answer on a kept-alive connection.
    disable_nagle_algorithm = True
    server: _Server
    timeout = 30  # a forgotten idle connection must not keep a thread forever

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging."""

    def do_GET(self) -> None:
        """Every method goes through the same path."""
        self.server.fake._serve(self)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET


class _RedirectAdapter(HTTPAdapter):
    """Sends a request for a Google host to the fake instead (path and query kept)."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        request.url = self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, *args, **kwargs)


def session_to(url: str, user: str | None = None) -> requests.Session:
    """A requests.Session that sends Google API URLs to the fake at ``url`` (this process's
    or one served by ``python -m fake_sheets``) and refuses every other address."""
    session = requests.Session()
    if user is not None:
        session.headers[USER_HEADER] = user
    refuse = _RefuseAdapter()
    session.mount("https://", refuse)
    session.mount("http://", refuse)
    session.mount(url + "/", HTTPAdapter())
    for host in GOOGLE_HOSTS:
        session.mount(host + "/", _RedirectAdapter(url))
    return session


class _RefuseAdapter(BaseAdapter):
    """Refuses any other URL: nothing in a test may reach the network through this session."""

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        raise requests.ConnectionError(f"fake_sheets session refuses to contact {request.url}")

    def close(self) -> None:
        """Nothing to close."""


class FakeSheets(PersonEdits, DriveControls):
    """A fake Sheets API server with data access, request counts, quotas, faults, hooks."""

    def __init__(
        self,
        *,
        port: int = 0,
        clock: Clock | None = None,
        read_per_minute: int = 60,
        write_per_minute: int = 60,
        project_per_minute: int = 300,
        seed: int = 20240217,
        caller_email: str = "fake-bot@fake-project.iam.gserviceaccount.com",
    ) -> None:
        self._port = port
        self._lock = threading.RLock()
        self._store = Store(IdMaker(seed), caller_email)
        self._quota = Quota(
            clock or monotonic,
            read_per_minute,
            write_per_minute,
            project_per_minute,
            project_per_minute,
        )
        discovery.document("sheets")  # fail now, not at the first request, if it is missing
        self._faults = Faults()
        self._hooks = Hooks()
        self._counts: collections.Counter[str] = collections.Counter()
        self._log: list[RequestRecord] = []
        self.errors: list[str] = []  # tracebacks of bugs in the fake (answered with 500)
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------
    def start(self) -> FakeSheets:
        """Start serving in a background thread (port 0 picks a free port)."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _Server(self, self._port)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="fake-sheets",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and hang up on clients; safe to call twice."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a "slow" fault
        httpd.shutdown()
        httpd.hang_up()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSheets:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        if self._httpd is None:
            raise RuntimeError("FakeSheets is not running")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def session(self, user: str | None = None) -> requests.Session:
        """A requests.Session that sends Google API URLs to this fake and refuses others.

        ``user`` names another client of the same Cloud project (its own per-user quota,
        the shared per-project quota); by default requests count as the caller's.
        """
        return session_to(self.url, user)

    def client(self) -> gspread.Client:
        """A real ``gspread.Client`` wired to this fake (anonymous credentials)."""
        import gspread  # noqa: PLC0415 - the fake itself does not need gspread
        from google.auth.credentials import AnonymousCredentials  # noqa: PLC0415

        credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]
        return gspread.Client(credentials, session=self.session())

    # --- serving --------------------------------------------------------------------
    def _serve(self, handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        user = handler.headers.get(USER_HEADER) or self._store.caller
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        if parts.path.startswith("/_fake/"):  # a test's control, not a Google request
            with self._lock:
                answer = control(self, handler.command, parts.path, query,
                                 json.loads(raw) if raw.strip() else {})  # fmt: skip
            self._send(handler, answer[0], answer[1], {})
            return
        route = classify(handler.command, parts.path)
        kind = route.kind if route else "unsupported"
        status: int = 500
        payload: Any = None
        headers: dict[str, str] = {}
        with self._lock:
            self._counts[kind] += 1
            fault: Fault | None = None
            try:
                for hook in self._hooks.due(kind):
                    hook.action(self)
                fault = self._faults.take(kind)
            except Exception:  # a broken hook is a test bug: make it loud
                self.errors.append(traceback.format_exc())
                status, payload = 500, ApiError(500, "fake_sheets: an edit hook failed").body
        if fault is not None and fault.action == "drop":
            self._record(handler, kind, 0)
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and fault.action == "slow":
            self._stopping.wait(fault.delay)
        if payload is None:
            status, payload, headers = self._answer(route, query, raw, fault, user)
        if fault is not None and fault.action == "late":
            self._stopping.wait(fault.delay)  # done already; the answer comes too late
        self._record(handler, kind, status)
        # A client that gave up (e.g. timed out on a "slow" fault) is not an error.
        with contextlib.suppress(ConnectionError):
            self._send(handler, status, payload, headers)

    def _answer(
        self,
        route: Route | None,
        query: dict[str, list[str]],
        raw: bytes,
        fault: Fault | None,
        user: str,
    ) -> tuple[int, Any, dict[str, str]]:
        try:
            if fault is not None and fault.action == "status":
                raise fault.error(write=route is not None and route.kind in WRITE_KINDS)
            if route is None:
                raise ApiError(404, "Method not found.")
            if len(raw) > PAYLOAD_LIMIT:
                raise payload_too_large()
            try:
                body = json.loads(raw) if raw.strip() else None
            except ValueError as exc:
                raise bad_request(f"Invalid JSON payload received. {exc}") from exc
            discovery.check(route.kind, query, body)
            with self._lock:
                check_service(self._store, route)
                if route.kind in READ_KINDS:
                    self._quota.take("read", user)
                elif route.kind in WRITE_KINDS:
                    self._quota.take("write", user)
                status, payload = dispatch(self._store, route, query, body)
            return status, payload, {}
        except ApiError as err:
            return err.code, err.body, err.headers
        except Exception:  # a bug in the fake: answer 500 and keep the traceback
            self.errors.append(traceback.format_exc())
            return 500, ApiError(500).body, {}

    def _record(self, handler: _Handler, kind: str, status: int) -> None:
        with self._lock:
            self._log.append(RequestRecord(handler.command, handler.path, kind, status))

    @staticmethod
    def _send(handler: _Handler, status: int, payload: Any, headers: Mapping[str, str]) -> None:
        data = (
            b"" if payload is None else json.dumps(payload, ensure_ascii=False, indent=2).encode()
        )
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=UTF-8")
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    # --- request accounting -----------------------------------------------------------
    @property
    def counts(self) -> dict[str, int]:
        """Requests received so far by kind (every outcome counts, faults included)."""
        with self._lock:
            return dict(self._counts)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request received, in order."""
        with self._lock:
            return list(self._log)

    def reset_counts(self) -> None:
        """Forget counts and the request log."""
        with self._lock:
            self._counts.clear()
            self._log.clear()

    # --- quotas, faults, hooks --------------------------------------------------------
    def set_quota(
        self,
        read_per_minute: int | None = None,
        write_per_minute: int | None = None,
        *,
        project_per_minute: int | None = None,
    ) -> None:
        """Change the per-minute read/write quotas per user, and (``project_per_minute``)
        per project; None keeps one as it is."""
        with self._lock:
            self._quota.set_limits(
                read_per_minute,
                write_per_minute,
                project_read_per_minute=project_per_minute,
                project_write_per_minute=project_per_minute,
            )

    def spend_quota(self, bucket: str, count: int, *, user: str | None = None) -> int:
        """Another client uses ``count`` read or write requests of the current minute (as
        the bot's own account by default, e.g. an admin running ``check`` with the same
        key); returns how many its quotas allowed."""
        with self._lock:
            return self._quota.spend(bucket, count, user or self._store.caller)

    def reset_quota(self) -> None:
        """Start a fresh quota minute."""
        with self._lock:
            self._quota.reset()

    def quota_used(self, bucket: str, *, project: bool = False) -> int:
        """Read or write requests counted in the current window: the caller's, or with
        ``project`` every client's."""
        with self._lock:
            return self._quota.used(bucket, None if project else self._store.caller)

    def fail_next(
        self,
        status: int,
        *,
        count: int = 1,
        kind: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """The next ``count`` requests (of ``kind``) answer ``status`` (429, 500, 503...)."""
        with self._lock:
            self._faults.arm(Fault("status", count, kind, status=status, retry_after=retry_after))

    def slow_next(self, seconds: float, *, count: int = 1, kind: str | None = None) -> None:
        """The next ``count`` requests (of ``kind``) are answered after ``seconds``."""
        with self._lock:
            self._faults.arm(Fault("slow", count, kind, delay=seconds))

    def late_next(self, seconds: float, *, count: int = 1, kind: str | None = None) -> None:
        """The next ``count`` requests (of ``kind``) are carried out at once but answered
        only after ``seconds``: a client that times out meanwhile cannot know they were."""
        with self._lock:
            self._faults.arm(Fault("late", count, kind, delay=seconds))

    def drop_next(self, *, count: int = 1, kind: str | None = None) -> None:
        """The next ``count`` requests (of ``kind``) get their connection closed, no answer."""
        with self._lock:
            self._faults.arm(Fault("drop", count, kind))

    def clear_hooks(self) -> None:
        """Disarm all edit hooks."""
        with self._lock:
            self._hooks.clear()

    def clear_faults(self) -> None:
        """Disarm all faults."""
        with self._lock:
            self._faults.clear()

    def before_next(self, action: Callable[[FakeSheets], None], *, kind: str | None = None) -> None:
        """Run ``action(fake)`` once, just before the next request (of ``kind``) is handled.

        This is "a person's edit between two requests": the action typically calls
        `insert_rows`, `delete_rows` or `set_values`.
        """
        with self._lock:
            self._hooks.arm(Hook(action, kind))

    @property
    def pending(self) -> dict[str, int]:
        """Armed faults and hooks not yet used (a test can assert they all fired)."""
        with self._lock:
            return {"faults": self._faults.pending(), "hooks": self._hooks.pending()}

    # --- data access for tests --------------------------------------------------------
    def add_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        tabs: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        *,
        shared: bool = True,
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
        value_input: str = "USER_ENTERED",
    ) -> str:
        """Create a spreadsheet with tabs (name -> rows of values, typed as USER_ENTERED by
        default); without ``tabs`` it has one empty ``Sheet1``. Returns its id.

        Each tab is at least 1000x26 (a new sheet's size), larger if its data needs it;
        the first tab has sheetId 0, as in a spreadsheet made in the Sheets UI.
        """
        if tabs is not None and not tabs:
            raise ValueError("a spreadsheet needs at least one tab")
        with self._lock:
            ss = self._store.new_spreadsheet(title, locale, time_zone)
            if tabs is not None:
                ss.sheets = []
                for index, (name, rows) in enumerate(tabs.items()):
                    self._new_tab(ss, name, rows, value_input, index)
            ss.role = "writer" if shared else None
            return ss.spreadsheet_id

    def _new_tab(
        self,
        ss: Spreadsheet,
        name: str,
        rows: Sequence[Sequence[Any]],
        value_input: str,
        index: int,
    ) -> Sheet:
        sheet_id = 0 if not ss.sheets else self._store.ids.number()
        width = max((len(r) for r in rows), default=0)
        sheet = Sheet.new(sheet_id, name, index, max(1000, len(rows)), max(26, width))
        ss.sheets.insert(index, sheet)
        ss.reindex()
        write_block(sheet, 0, 0, [list(r) for r in rows], value_input)
        return sheet

    def spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        """The live spreadsheet object (for checks the helpers below don't cover).

        A spreadsheets.batchUpdate replaces the object with the updated copy, so fetch it
        again after requests rather than keeping it.
        """
        with self._lock:
            return self._store.spreadsheets[spreadsheet_id]

    def spreadsheet_ids(self) -> list[str]:
        """Ids of every spreadsheet the fake holds."""
        with self._lock:
            return list(self._store.spreadsheets)

    def add_tab(
        self,
        spreadsheet_id: str,
        tab: str,
        rows: Sequence[Sequence[Any]] = (),
        *,
        index: int | None = None,
    ) -> int:
        """Add a tab (as a person would); returns its sheetId."""
        with self._lock:
            ss = self._store.spreadsheets[spreadsheet_id]
            where = len(ss.sheets) if index is None else index
            for other in ss.sheets:
                if int(other.props["index"]) >= where:
                    other.props["index"] = int(other.props["index"]) + 1
            sheet = self._new_tab(ss, tab, rows, "USER_ENTERED", where)
            ss.touch()
            return sheet.sheet_id

    def tab_values(
        self, spreadsheet_id: str, tab: str, render: str = "FORMATTED_VALUE"
    ) -> list[list[Any]]:
        """A tab's values, trimmed as values.get trims them."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            return ss.read(sheet, (0, sheet.rows, 0, sheet.cols), "ROWS", render, "SERIAL_NUMBER")

    def backgrounds(self, spreadsheet_id: str, tab: str) -> dict[str, dict[str, Any]]:
        """Cell background colours that are set: ``{"A1": {"red": 1}, ...}`` (Google's
        float32 rounding, zero channels left out)."""
        with self._lock:
            _, sheet = self._tab(spreadsheet_id, tab)
            found = {}
            for (r, c), cell in sorted(sheet.cells.items()):
                if cell.fmt and isinstance(cell.fmt.get("backgroundColor"), dict):
                    found[a1.cell_name(r, c)] = dict(cell.fmt["backgroundColor"])
            return found

    def background(self, spreadsheet_id: str, tab: str, cell: str) -> dict[str, Any] | None:
        """One cell's own background colour, or None if it has none."""
        return self.backgrounds(spreadsheet_id, tab).get(cell.upper())

    def shown_background(self, spreadsheet_id: str, tab: str, cell: str) -> dict[str, Any] | None:
        """The colour a person sees in a cell: a conditional format's, else its own."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            window = a1.parse_window(cell)
            return conditional.shown_background(ss, sheet, window.start_row, window.start_col)

    def developer_metadata(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """All developer metadata of a spreadsheet, in Google's shape."""
        from .metadata import all_metadata  # noqa: PLC0415

        with self._lock:
            return [
                dict(item) for _, item in all_metadata(self._store.spreadsheets[spreadsheet_id])
            ]

    def reset(self) -> None:
        """Forget all data, counts, faults, hooks and quota use (the server keeps running)."""
        with self._lock:
            self._store.spreadsheets.clear()
            self._counts.clear()
            self._log.clear()
            self._faults.clear()
            self._hooks.clear()
            self._quota.reset()
            self._store.disabled.clear()
            self._store.drive = DriveState()
            self.errors.clear()
