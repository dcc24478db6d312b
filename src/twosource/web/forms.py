"""What a request submits: an article to check (JSON or a form: text, a file, a URL), or articles to ingest."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request

from ..dates import given_date
from ..read.collection import COLUMNS, FORMATS
from .limits import ServeLimits

#: Pasted text is read as an upload of this name would be.
PASTED = "pasted text"


def is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith(
        ("multipart/form-data", "application/x-www-form-urlencoded")
    )


async def json_object(request: Request) -> dict[str, Any]:
    try:
        payload = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"the body is not JSON: {exc}") from exc
    except RecursionError:
        raise HTTPException(400, "the body is JSON nested too deeply") from None
    if not isinstance(payload, dict):
        raise HTTPException(422, "the JSON must be an object")
    return payload


async def submission(request: Request, limits: ServeLimits) -> tuple[bytes | None, str, dict[str, str]]:
    """Return the article's bytes, a name for it, and the outlet/date/url fields, from JSON or a form.

    With neither text nor a file but a URL, the bytes are None: the page is fetched when the check runs."""
    if is_form(request):
        form = await request.form(max_files=1, max_fields=10)
        upload, pasted = form.get("file"), str(form.get("text") or "")
        fields = {k: str(form.get(k) or "").strip() for k in ("outlet", "date", "url")}
        if upload is not None and not isinstance(upload, str) and upload.filename:
            data: bytes | None = await upload.read(limits.max_body_bytes + 1)
            origin = upload.filename
        elif pasted.strip():
            data, origin = _pasted_bytes(pasted, limits), PASTED
        elif fields["url"]:
            data, origin = None, fields["url"]
        else:
            raise HTTPException(422, "the form needs the article's text, its page as a file, or its URL")
    else:
        payload = await json_object(request)
        text = payload.get("text")
        fields = {k: str(payload.get(k) or "").strip() for k in ("outlet", "date", "url")}
        if isinstance(text, str) and text.strip():
            data, origin = _pasted_bytes(text, limits), PASTED
        elif fields["url"]:
            data, origin = None, fields["url"]
        else:
            raise HTTPException(422, 'the JSON needs "text" (the article) or "url" (its page)')
    if data is not None and len(data) > limits.max_body_bytes:
        raise HTTPException(413, f"the article is over {limits.max_body_bytes:,} bytes")
    if fields["date"]:
        try:
            fields["date"] = given_date(fields["date"])
        except ValueError as exc:
            raise HTTPException(422, f"date: {exc}") from None
    return data, origin, fields


def _pasted_bytes(text: str, limits: ServeLimits) -> bytes:
    if len(text) > limits.max_text_chars:
        raise HTTPException(413, f"the text is over {limits.max_text_chars:,} characters")
    return text.encode("utf-8")


#: The fields of an ingest form, as ``twosource ingest`` takes them.
_INGEST_FIELDS = (
    "format",
    "outlet",
    "encoding",
    *(f"{name}_column" for name, _ in COLUMNS),
)


#: What an ingest request may name to fetch, as ``twosource ingest URL... --feed --sitemap`` takes them.
_WEB_SOURCES = ("urls", "feeds", "sitemaps")


_WEB_ADDRESS = re.compile(r"https?://", re.I)


async def ingest_submission(request: Request, folder: Path, limits: ServeLimits) -> dict[str, Any]:
    """Save the articles of an ingest request into ``folder``; return its options (format, outlet, columns) and
    the addresses it names (urls, feeds, sitemaps) to fetch."""
    if is_form(request):
        form = await request.form(max_files=limits.max_ingest_files, max_fields=len(_INGEST_FIELDS))
        uploads = [u for u in form.getlist("file") if not isinstance(u, str) and u.filename]
        if not uploads:
            raise HTTPException(422, "the form needs one or more file fields")
        for n, upload in enumerate(uploads):
            # Only the file's base name, prefixed: an upload named ../../x must stay in the folder.
            name = re.sub(r"[^\w.-]", "_", Path(upload.filename or "upload").name)
            with open(folder / f"{n:03d}-{name}", "wb") as out:
                shutil.copyfileobj(upload.file, out)
        options = {k: str(form.get(k) or "") for k in _INGEST_FIELDS}
    else:
        payload = await json_object(request)
        articles = payload.get("articles") or []
        web = {key: payload.get(key) or [] for key in _WEB_SOURCES}
        lists = [articles, *web.values()]
        if not all(isinstance(x, list) for x in lists) or not any(lists):
            raise HTTPException(
                422,
                'the JSON needs "articles" (a list of {"text", "title"?, "outlet"?, "date"?}) or "urls", '
                '"feeds" or "sitemaps" (lists of addresses)',
            )
        if articles:
            with open(folder / "articles.jsonl", "w", encoding="utf-8") as out:
                out.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in articles)
        options = {k: str(payload.get(k) or "") for k in _INGEST_FIELDS} | {"format": "jsonl" if articles else ""}
        options |= {key: [str(u) for u in addresses] for key, addresses in web.items()}
        local = next((u for key in _WEB_SOURCES for u in options[key] if not _WEB_ADDRESS.match(u)), None)
        if local is not None:
            # Else a feed or sitemap "address" could be a path, and the server would read its own files.
            raise HTTPException(422, f"{local!r} is not an http or https address")
    if options["format"] and options["format"] not in FORMATS:
        raise HTTPException(422, f"format must be one of {', '.join(FORMATS)}")
    return options
