"""The web pages of ``xltools serve``: Starlette routes over :mod:`xltools.api`.

Every page calls the same API functions as the command line; the work runs in a
thread of this one warm process (its imports done once), and the page follows its
progress through server-sent events. See :mod:`xltools.web.guard` for what keeps it
safe (token, hosts, CSRF, size limits) and :mod:`xltools.web.uploads` for uploads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from xltools import __version__, api
from xltools.errors import UserError
from xltools.files import safe_filename
from xltools.profiles import load_profile
from xltools.web import views
from xltools.web.guard import Guard, Settings, check_csrf
from xltools.web.sessions import Job, Session, Sessions
from xltools.web.uploads import Upload, UploadRefused, receive, unpack_all

log = logging.getLogger("xltools.web")

PAGES = (  # (path, title): the navigation bar, in the order of a round
    ("/template", "模板"),
    ("/check", "检查"),
    ("/merge", "汇总"),
    ("/prefill", "预填"),
    ("/rules", "规则"),
)
WAIT_FOR_RESULTS = 1.5  # seconds a results page waits for a job before showing progress
KEEP_JOBS = 10  # per session


@dataclass(frozen=True)
class Download:
    """A zip of files a check job's result can give: label on the page, API function."""

    title: str
    filename: str
    write: Callable[[Any, Path], list[Path]]  # (report, out_dir) → files written


# The zips a check result offers, in the order of the buttons. After merging the
# notices branch: add ("notices", Download("下载退回修改通知", "退回修改通知.zip",
# lambda report, out: api.write_notices(report, out))) — the button, the route and
# the test of its zip come from this table.
CHECK_ZIPS: dict[str, Download] = {
    "annotated": Download(
        "下载批注副本", "批注副本.zip", lambda report, out: api.annotate(report, out)
    ),
    "notices": Download(
        "下载退回修改通知", "退回修改通知.zip", lambda report, out: api.write_notices(report, out)
    ),
}


def describe(exc: BaseException) -> str:
    """A Chinese line for the page: the API's own message, or an internal error."""
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"无法读写文件（{exc.strerror or exc}）"
    log.error("internal error", exc_info=exc)
    return f"内部错误：{type(exc).__name__}: {exc}。请把这条信息和所用文件发给维护人员。"


@dataclass
class App:
    settings: Settings
    sessions: Sessions = field(init=False)
    templates: Jinja2Templates = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = Sessions(idle=self.settings.idle)
        env = Environment(loader=PackageLoader("xltools.web", "templates"), autoescape=True)
        env.globals.update(pages=PAGES, version=__version__)
        env.filters["shown"] = views.shown
        env.filters["unroot"] = lambda text, job: views.unroot(str(text), job.extra["roots"])
        self.templates = Jinja2Templates(env=env)

    # -- helpers ---------------------------------------------------------------------------

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        session: Session = request.state.session
        context.setdefault("active", request.url.path)
        recent = [j for j in reversed(session.jobs.values()) if j.kind in RESULT_PAGES]
        context.setdefault("recent", [(j, RESULT_PAGES[j.kind]) for j in recent])
        return self.templates.TemplateResponse(
            request, name, {"csrf": session.csrf, **context}, status_code=status
        )

    def problem(self, request: Request, message: str, status: int = 400) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        return self.page(request, "problem.html", status, message=message)

    def job(self, request: Request) -> Job:
        session: Session = request.state.session
        job = session.jobs.get(request.path_params["job"])
        if job is None:
            raise LookupError
        return job

    async def upload(self, request: Request, job: Job, fields: tuple[str, ...]) -> Upload:
        """The request's files saved under ``job.folder/<field>/``, zips unpacked."""
        folders = {name: job.folder / name for name in fields}
        for folder in folders.values():
            folder.mkdir()
        session: Session = request.state.session
        upload = await receive(
            request.headers.get("content-type", ""),
            request.stream(),
            folders,
            self.settings.limits,
            first_field="csrf",
            check_first=lambda token: check_csrf(session, token),
        )
        for name in fields:
            got = await run_in_threadpool(
                unpack_all, upload.files.get(name, []), self.settings.limits
            )
            upload.files[name] = got.files
            upload.skipped += got.skipped
        job.extra["skipped"] = upload.skipped
        job.extra["roots"] = {
            job.folder / "files": "",
            job.folder / "declarations": "批复的申报表/",
        }
        return upload

    async def start(
        self, request: Request, kind: str, fields: tuple[str, ...], work: Callable
    ) -> Response:
        """Save the upload, start ``work(job, upload)`` in a thread, go to the results."""
        session: Session = request.state.session
        job = session.new_job(kind, KEEP_JOBS)
        try:
            upload = await self.upload(request, job, fields)
            if not upload.files.get(fields[0]):
                raise UploadRefused("请先选择要上传的文件（.xlsx、.xlsm、.xls、.ods 或 .zip）")
        except UploadRefused as exc:
            session.drop_job(job.id)
            return self.problem(request, str(exc), exc.status)
        job.total = len(upload.files[fields[0]])
        job.run(lambda j: work(j, upload), describe)
        url = str(request.url_for("job", job=job.id))
        if _wants_json(request):
            return JSONResponse({"url": url, "job": job.id})
        return RedirectResponse(url, status_code=303)

    # -- pages -----------------------------------------------------------------------------

    async def template_page(self, request: Request) -> Response:
        return self.page(request, "template.html", years=_years())

    async def template_post(self, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=20)
        check_csrf(request.state.session, str(form.get("csrf", "")))
        values = {k: str(v).strip() for k, v in form.items() if k != "csrf"}
        session: Session = request.state.session
        job = session.new_job("template", KEEP_JOBS)
        kind = values.get("kind", "申报表")
        try:
            year = int(values["year"]) if values.get("year") else None
            name = safe_filename(
                f"{kind}_{values.get('unit') or '空白模板'}_{year or ''}".rstrip("_")
            )
            path = await run_in_threadpool(
                lambda: api.write_template(
                    job.folder / name,
                    kind,
                    year=year,
                    department=values.get("department") or None,
                    unit=values.get("unit") or None,
                    money_unit=values.get("money_unit") or "元",
                    variant=values.get("variant") or None,
                )
            )
        except (UserError, ValueError) as exc:
            session.drop_job(job.id)
            return self.problem(request, str(exc) if isinstance(exc, UserError) else "年度应为数字")
        job.state = "done"
        return FileResponse(path, filename=path.name, media_type=XLSX)

    async def templates_post(self, request: Request) -> Response:
        def work(job: Job, upload: Upload) -> Any:
            kind = upload.first("kind", "申报表")
            year = upload.first("year")
            out = job.folder / "模板"
            result = api.write_templates_from_list(
                upload.files["files"][0],
                out,
                kind,
                year=int(year) if year.isdigit() else None,
                department=upload.first("department") or None,
                unit=upload.first("unit") or None,
                money_unit=upload.first("money_unit") or "元",
            )
            job.done = job.total
            views.zip_folder(result.written, out, job.folder / "模板.zip")
            return result

        return await self.start(request, "templates", ("files",), work)

    async def check_page(self, request: Request) -> Response:
        return self.page(request, "check.html", limits=self.settings.limits)

    async def check_post(self, request: Request) -> Response:
        def work(job: Job, upload: Upload) -> Any:
            declarations = upload.files.get("declarations") or None
            report = api.check(
                [job.folder / "files"],
                declarations=[job.folder / "declarations"] if declarations else None,
                progress=job.advance,
                jobs=0,  # workers.AUTO: one process per CPU from 500 files
            )
            job.extra["shown"] = views.relabelled(report, job.extra["roots"])
            return report

        return await self.start(request, "check", ("files", "declarations"), work)

    async def merge_page(self, request: Request) -> Response:
        return self.page(request, "merge.html")

    async def merge_post(self, request: Request) -> Response:
        def work(job: Job, upload: Upload) -> Any:
            out = job.folder / "汇总.xlsx"
            plan = api.merge(
                [job.folder / "files"],
                out,
                title=upload.first("title").strip() or None,
                money_unit=upload.first("money_unit") or None,
                include_invalid=upload.first("include_invalid") == "1",
                progress=job.advance,
                jobs=0,
                names=lambda path: views.label(path, job.extra["roots"]),
            )
            job.extra["tables"] = views.summary_sheets(out)
            job.extra["merge_findings"] = [f for f in plan.findings if f.rule.startswith("M")]
            return plan

        return await self.start(request, "merge", ("files",), work)

    async def prefill_page(self, request: Request) -> Response:
        return self.page(request, "prefill.html")

    async def prefill_post(self, request: Request) -> Response:
        def work(job: Job, upload: Upload) -> Any:
            out = job.folder / "自评表"
            result = api.prefill([job.folder / "files"], out)
            job.done = job.total
            views.zip_folder(result.written, out, job.folder / "自评表.zip")
            return result

        return await self.start(request, "prefill", ("files",), work)

    async def rules_page(self, request: Request) -> Response:
        query = request.query_params.get("q", "")
        overrides = load_profile().data.get("severity", {})
        groups = views.rules_table(query, overrides)
        return self.page(request, "rules.html", groups=groups, query=query)

    # -- jobs ------------------------------------------------------------------------------

    async def job_page(self, request: Request) -> Response:
        job = self.job(request)
        if job.kind not in RESULT_PAGES:  # a single template: downloaded, no page
            raise LookupError
        await run_in_threadpool(job.wait, WAIT_FOR_RESULTS)
        context: dict[str, Any] = {"job": job, "active": f"/{_PAGE_OF[job.kind]}"}
        if job.state == "running":
            return self.page(request, "progress.html", **context)
        if job.state == "failed":
            return self.page(request, "failed.html", **context)
        if job.kind == "check":
            report = job.extra["shown"]
            severities = [s for s in request.query_params.getlist("severity") if s]
            rule = request.query_params.get("rule", "")
            context.update(
                report=report,
                units=views.grouped(report, severities, rule),
                rules=views.rule_choices(report),
                severities=severities or list(views.SEVERITIES),
                rule=rule,
                zips=CHECK_ZIPS,
            )
        return self.page(request, f"{job.kind}_result.html", **context)

    async def job_events(self, request: Request) -> Response:
        job = self.job(request)

        async def events() -> AsyncIterator[str]:
            while True:
                # One snapshot decides both what is sent and whether it was the last: a job
                # that ended between the two would close the stream on a "running" event.
                status = job.status()
                yield f"data: {json.dumps(status, ensure_ascii=False)}\n\n"
                if status["state"] != "running":
                    return
                await asyncio.sleep(0.25)

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

    async def job_status(self, request: Request) -> Response:
        return JSONResponse(self.job(request).status())

    async def job_file(self, request: Request) -> Response:
        job = self.job(request)
        name = request.path_params["name"]
        if job.state != "done":
            return self.problem(request, "结果尚未生成，请稍候", 409)
        if job.kind == "check" and name in ("findings.csv", "findings.json"):
            from xltools import render

            shown = job.extra["shown"]
            text, media = (
                (render.report_csv(shown), "text/csv")
                if name.endswith(".csv")
                else (render.report_json(shown), "application/json")
            )
            data = text.encode("utf-8-sig" if name.endswith(".csv") else "utf-8")
            filename = "检查结果.csv" if name.endswith(".csv") else "检查结果.json"
            return Response(data, media_type=media, headers=_attachment(filename))
        if job.kind == "check" and name in CHECK_ZIPS:
            path = await run_in_threadpool(self._check_zip, job, name)
            return FileResponse(path, filename=CHECK_ZIPS[name].filename, media_type=ZIP)
        if job.kind == "merge" and name == "workbook":
            filename = safe_filename(job.result.title or "汇总")
            return FileResponse(job.folder / "汇总.xlsx", filename=filename, media_type=XLSX)
        if job.kind in ("prefill", "templates") and name == "zip":
            filename = "自评表.zip" if job.kind == "prefill" else "模板.zip"
            return FileResponse(job.folder / filename, filename=filename, media_type=ZIP)
        raise LookupError

    def _check_zip(self, job: Job, name: str) -> Path:
        """The zip of a check result (annotated copies …), made on first download."""
        with job.lock:
            out = job.folder / f"{name}.zip"
            if not out.exists():
                folder = job.folder / name
                written = CHECK_ZIPS[name].write(job.result, folder)
                views.zip_folder(written, folder, out)
            return out

    async def end_session(self, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=5)
        session: Session = request.state.session
        check_csrf(session, str(form.get("csrf", "")))
        self.sessions.end(session.id)
        response = RedirectResponse("/check?ended=1", status_code=303)
        response.delete_cookie(Guard.SESSION_COOKIE)
        return response

    async def home(self, request: Request) -> Response:
        return RedirectResponse("/check", status_code=303)

    # -- the application -------------------------------------------------------------------

    def asgi(self) -> Any:
        routes = [
            Route("/", self.home),
            Route("/favicon.ico", lambda _r: RedirectResponse("/static/favicon.svg", 301)),
            Route("/template", self.template_page),
            Route("/template", self.template_post, methods=["POST"]),
            Route("/template/list", self.templates_post, methods=["POST"]),
            Route("/check", self.check_page),
            Route("/check", self.check_post, methods=["POST"]),
            Route("/merge", self.merge_page),
            Route("/merge", self.merge_post, methods=["POST"]),
            Route("/prefill", self.prefill_page),
            Route("/prefill", self.prefill_post, methods=["POST"]),
            Route("/rules", self.rules_page),
            Route("/jobs/{job}", self.job_page, name="job"),
            Route("/jobs/{job}/events", self.job_events),
            Route("/jobs/{job}/status", self.job_status),
            Route("/jobs/{job}/files/{name}", self.job_file, name="job_file"),
            Route("/session/end", self.end_session, methods=["POST"]),
            Mount("/static", StaticFiles(packages=[("xltools.web", "static")]), name="static"),
        ]

        @contextlib.asynccontextmanager
        async def lifespan(_app: Starlette) -> AsyncIterator[None]:
            sweeper = asyncio.create_task(self._sweep())
            try:
                yield
            finally:
                sweeper.cancel()
                self.sessions.close()

        app = Starlette(
            routes=routes,
            lifespan=lifespan,
            exception_handlers={LookupError: self._not_found, UserError: self._user_error},
        )
        return Guard(app, self.settings, self.sessions)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(60)
            self.sessions.sweep()

    async def _not_found(self, request: Request, exc: Exception) -> Response:
        return self.problem(request, "找不到这个页面或结果（可能已过期并被清除），请重新上传", 404)

    async def _user_error(self, request: Request, exc: Exception) -> Response:
        return self.problem(request, str(exc), getattr(exc, "status", 400))


RESULT_PAGES = {"check": "检查", "merge": "汇总", "prefill": "预填", "templates": "模板"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"
_PAGE_OF = {
    "check": "check",
    "merge": "merge",
    "prefill": "prefill",
    "templates": "template",
    "template": "template",
}


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _attachment(filename: str) -> dict[str, str]:
    from urllib.parse import quote

    return {"Content-Disposition": f"attachment; filename*=utf-8''{quote(filename)}"}


def _years() -> list[int]:
    import datetime as dt

    this = dt.date.today().year
    return list(range(this - 3, this + 3))


def create_app(settings: Settings | None = None) -> Any:
    """The ASGI application (with its guard), for uvicorn or a test client."""
    return App(settings or Settings()).asgi()
