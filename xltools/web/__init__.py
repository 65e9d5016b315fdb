"""``xltools serve``: the round of forms in a browser, on the same API as the command line.

Starlette (routes), Jinja2 (server-side pages, autoescaped), python-multipart (uploads
streamed to disk) and uvicorn (the server); one small script of our own for drag and
drop and progress, no CDN: every asset ships in this package.
"""
