"""The three live services, each a function from a query to what it found, raising ServiceError on trouble."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

from ..dates import parse_date
from ..errors import SourceError
from ..fetch import fetch
from ..ingestion.feeds import Link
from ..types import FactCheck
from .sources import LiveSources, ServiceError


def gdelt_articles(terms: list[str], window: tuple[date, date], live: LiveSources) -> list[Link]:
    """News articles GDELT's DOC 2.0 API lists for ``terms`` within ``window`` (its newest first)."""
    query = " ".join(f'"{t}"' if " " in t else t for t in terms)
    params = {
        "query": query,
        "mode": "artlist",
        "format": "json",
        "maxrecords": str(live.gdelt_records),
        "startdatetime": window[0].strftime("%Y%m%d000000"),
        "enddatetime": window[1].strftime("%Y%m%d235959"),
        "sort": "HybridRel",
    }
    answer = _json(live.gdelt_url, params, live)
    articles = answer.get("articles", [])  # an empty result has no "articles" key at all
    if not isinstance(articles, list):
        raise ServiceError(live.gdelt_url, "answered with something other than a list of articles")
    links = []
    for item in articles:
        if isinstance(item, dict) and str(item.get("url", "")).startswith(("http://", "https://")):
            seen = str(item.get("seendate", ""))
            day = f"{seen[:4]}-{seen[4:6]}-{seen[6:8]}" if len(seen) >= 8 and seen[:8].isdigit() else None
            links.append(Link(item["url"], str(item.get("title", "")), day))
    return links


def fact_checks(text: str, live: LiveSources) -> list[FactCheck]:
    """Existing fact-checks of claims like ``text`` (Google Fact Check Tools, claims:search)."""
    params = {"query": text[:250], "languageCode": "en-US", "pageSize": "10", "key": live.factcheck_key}
    answer = _json(live.factcheck_url, params, live)
    found = []
    for claim in answer.get("claims", []) if isinstance(answer.get("claims", []), list) else []:
        if not isinstance(claim, dict):
            continue
        for review in claim.get("claimReview", []) or []:
            if not isinstance(review, dict) or not str(review.get("url", "")).startswith(("http://", "https://")):
                continue
            publisher = review.get("publisher") or {}
            found.append(
                FactCheck(
                    claim_text=str(claim.get("text", "")),
                    claimant=str(claim.get("claimant", "")),
                    claim_date=parse_date(str(claim.get("claimDate") or "")),
                    publisher=str(publisher.get("name") or publisher.get("site") or ""),
                    publisher_site=str(publisher.get("site", "")),
                    url=str(review["url"]),
                    title=str(review.get("title", "")),
                    rating=str(review.get("textualRating", "")),
                    review_date=parse_date(str(review.get("reviewDate") or "")),
                )
            )
    return found


def wikipedia_pages(query: str, live: LiveSources, limit: int = 2) -> list[tuple[str, str, str]]:
    """The Wikipedia articles a search for ``query`` finds first: (title, URL, plain text)."""
    params = {"action": "query", "list": "search", "srsearch": query, "srlimit": str(limit), "format": "json"}
    hits = _json(live.wikipedia_url, params, live).get("query", {}).get("search", [])
    ids = [str(h["pageid"]) for h in hits if isinstance(h, dict) and "pageid" in h]
    if not ids:
        return []
    params = {"action": "query", "prop": "extracts", "explaintext": "1", "pageids": "|".join(ids), "format": "json"}
    pages = _json(live.wikipedia_url, params, live).get("query", {}).get("pages", {})
    found = []
    for page_id in ids:
        page = pages.get(page_id) if isinstance(pages, dict) else None
        if isinstance(page, dict) and page.get("extract"):
            title = str(page.get("title", ""))
            url = f"https://en.wikipedia.org/wiki/{title.replace(' ', '_')}"
            found.append((title, url, str(page["extract"])))
    return found


def _json(url: str, params: dict[str, str], live: LiveSources) -> dict[str, Any]:
    """The service's JSON answer; ServiceError says what went wrong, in words that follow its name."""
    address = f"{url}?{urlencode(params)}"
    try:
        answer = fetch(address, live.policy, headers={"Accept": "application/json"})
    except SourceError as exc:
        raise ServiceError(url, f"could not be reached ({exc.message})") from None
    if answer.status == 429:
        raise ServiceError(url, "is rate-limiting twosource (429); try again later")
    if answer.status != 200:
        raise ServiceError(url, f"answered {answer.status}")
    try:
        parsed = json.loads(answer.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        first = " ".join(answer.body[:200].decode("utf-8", "replace").split())
        raise ServiceError(url, f"did not answer in JSON: {first!r}") from None
    if not isinstance(parsed, dict):
        raise ServiceError(url, "answered JSON of an unexpected shape")
    return parsed
