"""The web app's own pages (the report page is ``report.html``): plain HTML and inline CSS, no scripts.

Nothing loads from elsewhere, so the pages work offline and the Content-Security-Policy can forbid it all.
"""

from __future__ import annotations

from html import escape

from ..report.html import web_link

CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

_CSS = """
:root{--ink:#1d232a;--muted:#5b6570;--line:#cfd6dd;--bg:#fbfbfa;--accent:#1f5f8b;
font:17px/1.6 system-ui,sans-serif;color:var(--ink);background:var(--bg)}
body{margin:0}main{max-width:44rem;margin:0 auto;padding:1.5rem 1rem 4rem}
h1{font:600 1.6rem Georgia,serif;margin:.3rem 0}p.lead{color:var(--muted);margin-top:0}
label{display:block;font-weight:600;margin:1rem 0 .3rem}.hint{font-weight:400;color:var(--muted);font-size:.85rem}
textarea,input[type=text],input[type=date],input[type=url],input[type=password]{width:100%;box-sizing:border-box;font:inherit;
padding:.5rem;border:1px solid var(--line);border-radius:.4rem;background:#fff}
textarea{min-height:14rem;font:15px/1.5 Georgia,serif}
.row{display:flex;gap:1rem;flex-wrap:wrap}.row>div{flex:1 1 12rem}
button{margin-top:1.2rem;font:600 1rem system-ui;padding:.6rem 1.4rem;border:0;border-radius:.4rem;
background:var(--accent);color:#fff;cursor:pointer}
:focus-visible{outline:3px solid #f0b429;outline-offset:2px}
.error{border-left:4px solid #b3261e;padding:.4rem .9rem;background:#fdf1f0}
progress{width:100%;height:1rem;accent-color:var(--accent)}
nav{font-size:.9rem}nav a{color:var(--accent)}.hit{border-top:1px solid var(--line);padding:.6rem 0}
.hit p,.meta{margin:.2rem 0}.meta{color:var(--muted);font-size:.85rem}article p{font:17px/1.65 Georgia,serif}
"""


def _document(title: str, body: str, head: str = "") -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'>{head}"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>{body}</main></body></html>"
    )


_NAV = "<nav><a href='/'>Check an article</a> · <a href='/search'>Search the index</a></nav>"

HOME = _document(
    "twosource: check an article",
    _NAV
    + """<h1>twosource</h1>
<p class="lead">Paste a news article or upload its page, and see which of its claims independent sources back,
contradict, or leave alone, with the evidence quoted.</p>
<form method="post" action="/check" enctype="multipart/form-data">
<label for="text">Article text</label>
<textarea id="text" name="text" placeholder="Paste the article here"></textarea>
<label for="file">…or upload a page <span class="hint">(.html or .txt)</span></label>
<input id="file" name="file" type="file" accept=".html,.htm,.txt,text/html,text/plain">
<label for="url">…or its URL <span class="hint">(fetched from public addresses only; with pasted text or a
file, the URL is only recorded)</span></label>
<input id="url" name="url" type="url" placeholder="https://">
<div class="row">
<div><label for="outlet">Outlet <span class="hint">(its own reports never count)</span></label>
<input id="outlet" name="outlet" type="text" autocomplete="off"></div>
<div><label for="date">Published</label><input id="date" name="date" type="date"></div>
</div>
<button type="submit">Check the article</button>
<p class="hint">A check takes a few seconds to a minute: its progress shows, then the report opens at its own
permanent address.</p>
</form>""",
)


def error(status: int, message: str) -> str:
    """Return the page for a refused check or a missing report; ``message`` is escaped."""
    return _document(
        "twosource: error",
        f"{_NAV}<h1>twosource</h1><p class='error' role='alert'><strong>{status}</strong>: {escape(message)}</p>",
    )


def progress(job: dict) -> str:
    """Return a running check's page: its stage and a bar, refreshed each second (no script needed) until the
    server answers the refresh with the report."""
    done, total = int(job["done"]), int(job["total"])
    bar = f"<progress max='{total}' value='{done}'></progress>" if total else "<progress></progress>"
    counted = f" {done} of {total}" if total else ""
    return _document(
        "twosource: checking…",
        f"""{_NAV}<h1>Checking the article…</h1>
<p role="status" aria-live="polite"><strong>{escape(job["stage"])}</strong>{counted} · {job["seconds"]:.0f} s</p>
{bar}<p class="meta">This page refreshes itself; the report opens here when it is ready, at its own permanent
address. <a href="/jobs/{escape(job["id"])}">Refresh now</a></p>""",
        head="<meta http-equiv='refresh' content='1'>",
    )


def login(next_path: str, message: str = "") -> str:
    """Return the page that asks for the server's token and sets the browser's session cookie."""
    alert = f"<p class='error' role='alert'>{escape(message)}</p>" if message else ""
    return _document(
        "twosource: sign in",
        f"""<h1>twosource</h1>{alert}
<p class="lead">This server is protected by a token; whoever started it has it.</p>
<form method="post" action="/login"><input type="hidden" name="next" value="{escape(next_path)}">
<label for="token">Token</label><input id="token" name="token" type="password" autocomplete="current-password"
autofocus required><button type="submit">Sign in</button></form>""",
    )


def search(query: str, results: list[dict]) -> str:
    """Return the index search page: the form, then each passage found with its article's outlet and date."""
    hits = "".join(
        f"<div class='hit'><p><a href='/articles/{int(r['article_id'])}'>{escape(r['title'] or '(untitled)')}</a></p>"
        f"<p class='meta'>{escape(r['outlet'])} · {escape(r['published'] or 'undated')}</p>"
        f"<p>{escape(r['text'])}</p></div>"
        for r in results
    )
    found = f"<p class='meta'>{len(results)} passages for “{escape(query)}”.</p>{hits}" if query else ""
    return _document(
        "twosource: search the index",
        f"""{_NAV}<h1>Search the index</h1>
<form method="get" action="/search"><label for="q">Words or a claim <span class="hint">(searched as `check`
searches for a claim: words and meaning)</span></label><input id="q" name="q" type="text" value="{escape(query)}">
<button type="submit">Search</button></form>{found}""",
    )


def article(stored: dict, copies: list[dict]) -> str:
    """Return an indexed article's page: its text, and the other copies of it the index holds."""
    url = stored["url"]
    source = web_link(url, url)
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in stored["text"].split("\n\n") if p.strip())
    cluster = "".join(
        f"<li><a href='/articles/{int(c['id'])}'>{escape(c['title'] or '(untitled)')}</a> · "
        f"{escape(c['outlet'])} · {escape(c['published'] or 'undated')}</li>"
        for c in copies
    )
    copies_part = (
        f"<h2>Copies in the index</h2><p class='meta'>Counted once as evidence, under the earliest outlet.</p>"
        f"<ul>{cluster}</ul>"
        if copies
        else "<p class='meta'>No copies of this text in the index.</p>"
    )
    meta = " · ".join(escape(x) for x in (stored["outlet"], stored["author"], stored["published"] or "") if x)
    return _document(
        f"twosource: {stored['title'] or 'article'}",
        f"{_NAV}<h1>{escape(stored['title'] or '(untitled)')}</h1><p class='meta'>{meta}</p>"
        f"<p class='meta'>{source}</p><article>{paragraphs}</article>{copies_part}",
    )
