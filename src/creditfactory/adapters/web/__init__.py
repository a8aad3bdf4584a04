"""Server-rendered pages (jinja2): the console at `/`."""
