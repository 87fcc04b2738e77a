"""What the list tests share: the queries one request makes, and every row of a paged list."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from rainforest.accounts import services
from rainforest.accounts.permissions import Principal
from rainforest.registry.services import facts_import
from tests.conftest import SYSTEM, new_uscc

# Page numbers a person or a link might send: none may cost a 500.
MALFORMED_PAGES = ["0", "-1", "abc", "1.5", "", "99999999999999999999", "\u0661"]


def bearer(user) -> dict:
    """Request headers carrying a new API token of the user's first membership."""
    principal = Principal(user=user, membership=user.memberships.first())
    return {"HTTP_AUTHORIZATION": f"Bearer {services.api_token_create(actor=principal, name='lists')[1]}"}


def queries(client, url, data=None, **headers) -> int:
    """The queries of one GET, after the same GET once (a session's first request and the cache's first
    read cost queries the lists do not)."""
    assert client.get(url, data, **headers).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data, **headers)
    assert response.status_code == 200, response.content[:500]
    return len(ctx)


def api_rows(client, url, key, limit, **headers) -> list:
    """Every item of a limit/offset API, page after page, by ``key``; the count checked on each page."""
    seen, offset, count = [], 0, None
    while True:
        body = client.get(url, {"limit": limit, "offset": offset}, **headers).json()
        count = body["count"] if count is None else count
        assert body["count"] == count
        seen += [item[key] for item in body["items"]]
        if len(body["items"]) < limit:
            return seen
        offset += limit


HEADER = "uscc,name,founded_on,fiscal_year,district,industries,stage,employees,revenue\n"


def registry_of(n: int, start: int = 0, district: str = "滨江区") -> list[str]:
    """``n`` enterprises imported at once, two years each: the later year has other figures (so a list
    shows the latest one), industry and stage; their codes in registration order."""
    codes, rows = [], []
    for i in range(start, start + n):
        code = new_uscc()
        codes.append(code)
        rows.append(f"{code},杭州列表{i:03d}科技有限公司,2021-06-01,2024,{district},HZ296X.H.ROBOT,rd,{10 + i},1000000")
        rows.append(
            f"{code},杭州列表{i:03d}科技有限公司,2021-06-01,2025,{district},HZ296X.T.AI,product,{500 + i},2000000"
        )
    facts_import(actor=SYSTEM, data=(HEADER + "\n".join(rows)).encode(), filename="list.csv")
    return codes
