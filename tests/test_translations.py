"""The catalogues a native reader accepts (issue 14, item 3).

Simplified Chinese is the source. zh_Hant is what scripts/po_hant_from_hans.py gives from it: the
reviewed glossary (src/rainforest/core/hant_glossary.yaml, Hong Kong government usage), then OpenCC characters;
so it must hold none of the mechanical Taiwan-phrase swaps and no character left unconverted. English
msgids are English, so an empty English msgstr is complete; a Chinese one is not. Districts and
industry clusters, kept in the records by their Simplified names and codes, show in all three.
"""

from __future__ import annotations

import ast
import gettext
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

import opencc
import pytest
import yaml
from django.template import Context, Template
from django.utils import translation

from rainforest.core.districts import DISTRICTS, NAMES, SCENIC_AREA, district_name
from rainforest.core.facts.industries import HZ296X, cluster_name
from rainforest.core.facts.industries import NAMES as CLUSTER_NAMES

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "rainforest" / "locale"
RULES = ROOT / "src" / "rainforest" / "core" / "policy" / "rules"
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _script():
    spec = importlib.util.spec_from_file_location("po_hant_from_hans", ROOT / "scripts" / "po_hant_from_hans.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONVERTER = _script().HantConverter()
T2S = opencc.OpenCC("t2s").convert


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str = ""
    msgstr: str = ""
    plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    tcomment: str = ""

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid

    @property
    def texts(self) -> list[str]:
        return list(self.plural.values()) if self.msgid_plural else [self.msgstr]

    def __str__(self) -> str:
        return f"{self.msgctxt + ' | ' if self.msgctxt else ''}{self.msgid!r}"


def read_po(path: Path) -> list[Entry]:
    """The live entries of a PO file (no header, no obsolete ones); the test extra has no polib."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def flush():
        nonlocal entry, target
        if target is not None and entry.msgid:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            entry.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("# ") or line == "#":
            entry.tcomment += line[2:]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(target, int):
                entry.plural[target] += value
            else:
                setattr(entry, target, (getattr(entry, target) or "") + value)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr["):
                target = int(keyword[7:-1])
                entry.plural[target] = value
            else:
                target = keyword
                setattr(entry, target, value)
    flush()
    return entries


HANS = read_po(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")
HANT = read_po(LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po")
EN = read_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")


# Characters that are Simplified in some words and Traditional in others (后: 之后 is 之後, 皇后 stays;
# 里: 这里 is 這裏, 里程碑 stays): OpenCC's STCharacters lists each among its own Traditional forms.
# Only the conversion of the whole text tells whether such a one was left unconverted.
SHARED = set(
    "㐹万丑丰于云亘仆价伙余佣党准几凶划占厂厘台叶吁吃后咨咸唇夸尸岩岳帘干广征愿挂据斗朴杠杰极柜涂涌淀游熏"
    "皂确种筑胜腊腌膻苹范荐虫蚝蜡蝎跖辟适郁采里雇"
)


def _leftovers(text: str) -> str:
    """The Simplified characters (and forms the standard replaces) left in a Traditional text."""
    in_context = CONVERTER._plain(text)
    left = []
    for i, char in enumerate(text):
        if char in SHARED:
            if len(in_context) == len(text) and in_context[i] != char:
                left.append(char)
        elif HAN.match(char) and CONVERTER._plain(char) != char and T2S(char) == char:
            left.append(char)
        elif char in CONVERTER.variants:  # a form the standard replaces: 臺, 裡, “ ”
            left.append(char)
    return "".join(left)


def test_the_parser_reads_the_catalogues():
    assert len(HANS) > 1000 and len(HANT) > 1000 and len(EN) > 1000
    assert any(e.msgctxt for e in HANS) and any(e.msgid_plural for e in HANS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("已发布", "已發布"),
        ("场景发布方", "場景發布方"),
        ("类型", "類型"),
        ("产业集群", "產業集群"),
        ("适用对象", "適用對象"),
        ("润苗基金投资对象", "潤苗基金投資對象"),
        ("审核通过", "審核通過"),
        ("本人声明以上内容完整、真实。", "本人聲明以上內容完整、真實。"),
        ("合作项目", "合作項目"),
        ("统一社会信用代码", "統一社會信用代碼"),
        ("余杭区", "餘杭區"),
        ("后台任务", "後台任務"),
        ("上传的数据文件", "上載的數據檔案"),
        ("企业信息已保存。", "企業資料已儲存。"),
    ],
)
def test_the_glossary_keeps_government_words(source, expected):
    assert CONVERTER.convert(source) == expected


def test_zh_hant_is_what_the_script_gives_from_zh_hans():
    """Rerunning scripts/po_hant_from_hans.py would change nothing (the lead reruns it after merging)."""
    hant = {e.key: e for e in HANT}
    assert set(hant) == {e.key for e in HANS}, "zh_Hant and zh_Hans hold different message ids"
    stale = []
    for origin in HANS:
        entry = hant[origin.key]
        if "manual" in entry.tcomment:
            continue
        expected = [CONVERTER.entry(origin.msgctxt, origin.msgid, t) for t in origin.texts]
        if entry.texts != expected:
            stale.append(f"{origin}: {entry.texts} != {expected}")
    assert not stale, "run scripts/po_hant_from_hans.py:\n" + "\n".join(stale[:20])


def test_zh_hant_has_no_mechanical_phrase_swap():
    """A rejected phrase (釋出, 型別, 物件, 叢集, ...) only where the Simplified source has it too."""
    found = []
    source = {e.key: e for e in HANS}
    for entry in HANT:
        if entry.key not in source:
            continue  # an id zh_Hans no longer has: the script test names it
        origin = "".join(source[entry.key].texts)
        for phrase, why in CONVERTER.rejected.items():
            if "".join(entry.texts).count(phrase) > origin.count(T2S(phrase)):
                found.append(f"{entry}: {phrase} ({why})")
    assert not found, "\n".join(found)


def test_the_rejected_list_catches_what_it_is_for():
    twp = opencc.OpenCC("s2twp").convert
    swapped = twp("已发布的类型对象属于产业集群，经审核并声明")
    assert {p for p in CONVERTER.rejected if p in swapped} >= {"釋出", "型別", "物件", "叢集", "稽核", "宣告"}


def test_zh_hant_has_no_simplified_character():
    left = []
    for entry in HANT:
        for text in entry.texts:
            if chars := _leftovers(text):
                left.append(f"{entry}: {chars} in {text!r}")
    assert not left, "\n".join(left[:30])
    assert _leftovers("任務完成后發佈") == "后"  # the check sees what it is for


def test_zh_hant_keeps_examples_that_differ_apart():
    """An example such as 订阅“無人機”也能找到“无人机” contrasts two spellings; converted word by word
    it would read 「無人機」也能找到「無人機」. Quoted examples that differ in zh_Hans differ in zh_Hant."""
    import re

    hant = {e.key: e for e in HANT}
    collapsed = []
    for origin in HANS:
        mine = hant.get(origin.key)
        if mine is None:
            continue
        for hans_text, hant_text in zip(origin.texts, mine.texts, strict=False):
            hans_quoted, hant_quoted = re.findall(r"“([^”]+)”", hans_text), re.findall(r"「([^」]+)」", hant_text)
            repeated = [q for q in set(hant_quoted) if hant_quoted.count(q) > 1]
            if len(repeated) > len([q for q in set(hans_quoted) if hans_quoted.count(q) > 1]):
                collapsed.append(hant_text)
    assert not collapsed, "\n".join(collapsed[:10])


def test_zh_hant_translates_everything_zh_hans_does():
    hant = {e.key: e for e in HANT}
    missing = [
        str(origin)
        for origin in HANS
        if any(origin.texts) and "fuzzy" not in origin.flags
        for mine in [hant.get(origin.key)]
        if mine is None or not all(mine.texts) or "fuzzy" in mine.flags
    ]
    assert not missing, "\n".join(missing[:30])


def test_english_is_english():
    """An English msgid is its own translation; a Chinese msgstr, or a Chinese msgid left untranslated, is not."""
    problems = []
    for entry in EN:
        texts = [t for t in entry.texts if t]
        if any(HAN.search(t) for t in texts):
            problems.append(f"{entry}: Chinese translation {texts}")
        elif HAN.search(entry.msgid) and not texts:
            problems.append(f"{entry}: a Chinese msgid with no English translation")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["zh_Hant", "en"])
def test_compiled_catalogues_match_their_sources(language):
    """The .mo Django reads holds what the .po says (compiled after every edit)."""
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    for entry in read_po(LOCALE / language / "LC_MESSAGES" / "django.po"):
        if "fuzzy" in entry.flags or not all(entry.texts):
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            assert [compiled.get((key, n)) for n in entry.plural] == list(entry.plural.values()), str(entry)
        else:
            assert compiled.get(key) == entry.msgstr, str(entry)


# --- Districts and clusters --------------------------------------------------------------------


def test_every_district_and_cluster_has_three_names():
    assert set(NAMES) == set(DISTRICTS) | {SCENIC_AREA}
    assert set(CLUSTER_NAMES) == set(HZ296X)
    for simplified, names in [*NAMES.items(), *((HZ296X[c], n) for c, n in CLUSTER_NAMES.items())]:
        assert CONVERTER.convert(simplified) == names["zh-hant"], simplified
        assert not _leftovers(names["zh-hant"]), names["zh-hant"]
        assert names["en"].isascii() and not HAN.search(names["en"]), names["en"]
    assert {n["en"] for n in NAMES.values()} >= {"Xihu District", "Yuhang District", "Chun'an County"}
    assert CLUSTER_NAMES["HZ296X.H.NET"]["zh-hant"] == "網絡通訊"  # 通信 is 通訊 in Hong Kong


@pytest.mark.parametrize(
    ("language", "district", "cluster"),
    [
        ("zh-hans", "余杭区", "类脑智能"),
        ("zh-hant", "餘杭區", "類腦智能"),
        ("en", "Yuhang District", "Brain-inspired intelligence"),
    ],
)
def test_districts_and_clusters_render_in_each_language(language, district, cluster):
    template = Template("{{ d|district }}|{{ c|cluster }}|{{ ds|district }}|{{ o|cluster }}|{{ u|district }}")
    with translation.override(language):
        shown = template.render(
            Context(
                {"d": "余杭区", "c": "HZ296X.F.BRAIN", "ds": ["余杭区", "西湖区"], "o": "HZ296X.X.NEW", "u": "外地"}
            )
        )
    joined = f"{district}{', ' if language == 'en' else '、'}{district_name('西湖区', language)}"
    assert shown == f"{district}|{cluster}|{joined}|HZ296X.X.NEW|外地"
    assert cluster_name("HZ296X.F.BRAIN", language) == cluster


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("zh-hans", "余杭区", "Yuhang"), ("zh-hant", "餘杭區", "余杭区"), ("en", "Yuhang District", "余杭区")],
)
def test_the_district_filter_of_a_page_reads_in_each_language(client, language, shown, not_shown):
    client.cookies["django_language"] = language
    page = client.get("/exchange/").content.decode()
    assert f'<option value="余杭区">{shown}</option>' in page  # the value stays what records hold
    assert not_shown not in page.replace('value="余杭区"', "")
    filtered = client.get("/exchange/", {"district": "余杭区"})
    assert (
        filtered.status_code == 200 and f'<option value="余杭区" selected>{shown}</option>' in filtered.content.decode()
    )


def test_policy_rules_name_everything_in_three_languages():
    """Tier names and rule and measure titles: zh-hant present with no Simplified left, and English."""
    missing = []

    def walk(node, where):
        if isinstance(node, dict):
            if "zh-hans" in node and where.rsplit(".", 1)[-1] in {"name", "title"}:
                hant = node.get("zh-hant")
                if not hant or _leftovers(hant) or not node.get("en") or HAN.search(node["en"]):
                    missing.append(f"{where}: {node}")
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")

    for path in sorted(RULES.rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    assert not missing, "\n".join(missing)


def test_a_form_label_ends_with_the_colon_of_its_language(client):
    from django.utils import translation

    from rainforest.exchange.forms import ScenarioForm

    with translation.override("zh-hans"):
        assert "标题：" in str(ScenarioForm()["title"].label_tag())
    with translation.override("en"):
        assert "Title:" in str(ScenarioForm()["title"].label_tag())


def test_a_server_error_is_the_platforms_own_page_in_the_readers_language(rf):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("zh-hans"):
        response = server_error(rf.get("/"))
    body = response.content.decode()
    assert response.status_code == 500 and "出错了" in body and "Server Error" not in body
