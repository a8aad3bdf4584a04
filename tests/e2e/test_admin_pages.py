"""The administrator's pages refuse bad input and broken four eyes with a page naming the rule,
never a 500 (issue 14): a short password, a taken username, a branch outside the scope, an
unknown role, the maker approving their own change, a second open change, a decided change, an
item of another kind, an unknown item."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

from tests.e2e.conftest import Api, application


def _admin(api: Api, role: str = "administrator") -> str:
    security = api.client.app.state.security
    name = "a" + secrets.token_hex(6)
    officer_id: str = security.create_officer(name, "pw-" + name, role, datetime.now(UTC))
    api.tokens[officer_id] = security.login(name, "pw-" + name)
    return officer_id


def _post(api: Api, who: str, path: str, form: dict[str, str]) -> Any:
    headers = {"Authorization": f"Bearer {api.tokens[who]}"}
    return api.client.post(path, data=form, headers=headers, follow_redirects=False)


def _refused(answer: Any, status: int, words: str) -> None:
    assert answer.status_code == status, (answer.status_code, answer.text[-500:])
    assert answer.headers["content-type"].startswith("text/html")
    found = re.search(r'data-testid="action-error">([^<]*)<', answer.text)
    assert found is not None and words in found.group(1), answer.text[-800:]


def test_bad_input_and_four_eyes_on_the_admin_pages(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    maker, checker, auditor = _admin(api), _admin(api), _admin(api, "auditor")
    name = "n" + secrets.token_hex(5)
    _refused(_post(api, maker, "/admin/users", {"username": name, "password": "short"}),
             422, "password")  # fmt: skip
    _refused(_post(api, maker, "/admin/users",
                   {"username": name, "password": "long enough pw", "branch_id": "NOPE"}),
             422, "branch_id")  # fmt: skip
    made = _post(api, maker, "/admin/users", {"username": name, "password": "long enough pw"})
    assert made.status_code == 303 and made.headers["location"] == "/admin/users"
    _refused(_post(api, maker, "/admin/users", {"username": name, "password": "long enough pw"}),
             422, "username: already taken")  # fmt: skip
    target = f"/admin/users/off_{name}"
    for role in ("channel", "boss", ""):
        _refused(_post(api, maker, f"{target}/role", {"role": role}), 422, "role")
    asked = _post(api, maker, f"{target}/role", {"role": "auditor", "note": "审计岗"})
    assert asked.status_code == 303 and asked.headers["location"] == target
    _refused(_post(api, checker, f"{target}/role", {"role": "risk_manager"}), 409, "open item")
    page = api.client.get(target, headers={"Authorization": f"Bearer {api.tokens[checker]}"})
    approval_id = re.search(r"/admin/approvals/(apr_[0-9a-f]+)/approve", page.text)
    assert approval_id is not None, page.text
    approve = f"/admin/approvals/{approval_id.group(1)}/approve"
    _refused(_post(api, maker, approve, {}), 403, "checker must not be the maker")
    assert _post(api, auditor, approve, {}).status_code == 403  # the route's permission
    done = _post(api, checker, approve, {})
    assert done.status_code == 303 and done.headers["location"] == target
    _refused(_post(api, checker, approve, {}), 409, "executed")  # decided once
    assert _post(api, checker, "/admin/approvals/apr_nowhere/approve", {}).status_code == 404
    # an item of another kind is not decided here
    applied = api.post("/api/v1/applications", application(), secrets.token_hex(8)).json()
    override = {"kind": "limit_override", "subject": f"application:{applied['application_id']}",
                "params": {"amount": "100000"}}  # fmt: skip
    officer = api.officer("POST", "/api/v1/approvals", "analyst", override)
    assert officer.status_code == 200, officer.text
    other = _post(api, checker, f"/admin/approvals/{officer.json()['approval_id']}/approve", {})
    assert other.status_code == 422, other.text[-300:]
