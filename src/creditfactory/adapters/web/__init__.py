"""The staff workbench: server-rendered pages (Jinja2 + htmx, ECharts), zh-CN by default with an
English switch (Babel catalogues), times in CST, amounts in 元.

What a page uses (docs/workbench.md has the walk-through):
- `registry.WEB_ROUTERS` (add the area's router), `nav.NAV` (its menu entry);
- `render.render(request, template, **ctx)`: every page; templates extend `base.html`;
- `listing.ListView` / `Column` / `list_page`: the one list component (paging, sorting,
  filtering, CSV and xlsx export); macro `list_table` in `components/list.html`;
- `formatting`: the filters (`money`, `money_minor`, `cst`, `day`, `grade`, `masked_id`,
  `uscc_masked`); macros in `components/macros.html` (`id_copy`, `grade_badge`, `uscc`);
- `errors`: the HTML error pages the one error mapping answers on page routes.
"""
