"""Helpers for the upload tests: workbooks made on the fly, table snapshots, users."""

from __future__ import annotations

import io
import os
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import select, text

from ipoverseas.core import db
from ipoverseas.imports import datasets as D

FILES = Path(__file__).resolve().parents[1] / "files"

CASE_HEADER = [c.zh for c in D.CASES.columns if c.field != D.SUB_CENTRE]

_COUNTRIES = ["美国", "United States", "US", "德国", "Germany", "日本", "JP", "英国", "UK", "法国", "欧盟", "巴西", "印度", "韩国"]
_DISPUTES = ["美国337调查", "337", "诉讼", "Schedule A", "海关扣押", "展会禁令", "商标抢注"]
_FORUMS = ["法院", "ITC", "海关", "展会", "电商平台"]
_IPS = ["发明专利", "商标", "外观设计", "著作权", "Patent"]
_INDUSTRIES = ["电子信息", "机械装备", "新能源", "纺织服装", "家居"]
_PROVINCES = ["浙江", "江苏", "广东", "ZJ"]
_ROLES = ["被告", "原告", "被申请人"]
_OUTCOMES = ["未决", "胜诉", "和解", "败诉", "撤诉"]


_PRODUCTS = ["扫地机器人", "光伏组件", "蓝牙耳机", "电动滑板车", "儿童玩具", "LED灯具", "电动工具", "智能手表", "咖啡机",
             "空气净化器", "无人机", "服装面料", "家具五金", "锂电池", "医疗器械", "汽车配件", "手机壳", "充电器"]
_CLAIMS = ["侵犯其发明专利权", "侵犯其外观设计专利", "侵犯其注册商标专用权", "构成不正当竞争", "侵犯其著作权",
           "违反美国关税法第337条", "商标近似易致混淆", "盗用其商业秘密"]
_ACTIONS = ["向当地法院提起诉讼", "向美国国际贸易委员会申请调查", "向海关申请扣押出口货物", "在展会现场申请临时禁令",
            "向电商平台投诉并冻结店铺资金", "发出律师函要求停止销售", "以Schedule A形式批量起诉"]
_STEPS = ["组织企业应诉", "开展不侵权分析", "委托当地律师提交答辩", "与权利人谈判和解", "提交无效宣告请求",
          "申请复审", "协调行业协会共同应对", "调取研发记录作为证据", "申请解除资金冻结", "提出管辖权异议"]
_LESSONS = ["出口前做好自由实施检索", "保留完整研发证据", "及时在目标市场注册商标", "审查供应商的知识产权担保",
            "参展前排查展品风险", "关注平台投诉时限", "购买海外知识产权保险", "建立应诉预案和专家联络"]


def case_texts(i: int, seed: int = 0) -> tuple[str, str, str]:
    """Summary, guidance and lessons that differ from row to row, as real cases do."""
    r = random.Random(i * 7919 + seed)
    product = r.choice(_PRODUCTS)
    model = f"{r.choice('ABCDEFGHJKMNPRSTXZ')}{r.choice('ABCDEFGHJKMNPRSTXZ')}-{r.randrange(100, 99999)}"
    summary = (f"{r.randrange(2016, 2026)}年{r.randrange(1, 13)}月，权利人以我方出口的{product}（型号{model}）"
               f"{r.choice(_CLAIMS)}为由，{r.choice(_ACTIONS)}，涉及{r.randrange(1, 60)}个型号、"
               f"约{r.randrange(5, 5000)}万元货值。" + r.choice(["", "对方同时起诉了多家同行企业。",
                                                           "涉案产品已在多个电商平台下架。", "企业此前未做专利检索。"]))
    guidance = "；".join(r.sample(_STEPS, r.randrange(2, 5))) + f"。案件历时{r.randrange(2, 40)}个月。"
    lessons = "，".join(r.sample(_LESSONS, r.randrange(1, 4))) + "。"
    return summary, guidance, lessons


def case_row(i: int, rng: random.Random, *, ref_prefix: str = "BENCH", variant: int = 0,
             texts: bool = False) -> list[Any]:
    filed = date(2018, 1, 1) + timedelta(days=rng.randrange(0, 2500))
    closed = filed + timedelta(days=rng.randrange(30, 900)) if rng.random() < 0.5 else None
    return [
        f"{ref_prefix}-{i:06d}",
        f"某{rng.choice(['电器', '光伏', '玩具', '机械', '纺织'])}企业{rng.choice(['专利', '商标'])}纠纷案{i}" + ("（更新）" if variant else ""),
        rng.choice(_COUNTRIES), rng.choice(_FORUMS), rng.choice(_DISPUTES), rng.choice(_IPS), rng.choice(_INDUSTRIES),
        rng.choice(_PROVINCES), f"示例企业{i % 5000}有限公司", rng.choice(_ROLES), rng.choice(["是", "否"]),
        f"Example Holdings {i % 3000} Inc.", filed, closed, "已结案" if closed else "进行中",
        rng.choice(_OUTCOMES), round(rng.uniform(1000, 5_000_000), 2) + variant, rng.randrange(1, 200),
        *(case_texts(i) if texts else ("权利人以侵犯其专利权为由提起诉讼，涉及产品出口至当地市场的多个型号。" * 2,
                                       "组织企业应诉，开展不侵权分析并与权利人谈判。", "出口前做好自由实施检索，保留研发证据。")),
        "分中心调研",
    ]


def write_cases_xlsx(path: Path, rows: Iterable[list[Any]], *, header: list[str] | None = None,
                     sheet: str = "案件 Cases") -> Path:
    """A case workbook written the way a big export is (XlsxWriter, constant memory)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(sheet)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, header or CASE_HEADER)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date):
                ws.write_datetime(r, c, value, date_fmt)
            elif isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, value)
    wb.close()
    return path


def cases_workbook(path: Path, n: int, *, seed: int = 7, ref_prefix: str = "T", changed_every: int = 0,
                   texts: bool = False) -> Path:
    """n good case rows; with changed_every=k, every k-th row differs from the seed's first version;
    with texts, the summary, guidance and lessons differ from row to row."""
    rng = random.Random(seed)
    return write_cases_xlsx(path, (case_row(i, rng, ref_prefix=ref_prefix, texts=texts,
                                            variant=1 if changed_every and i % changed_every == 0 else 0)
                                   for i in range(n)))


def xlsx_bytes(rows: list[list[Any]], sheet: str = "Sheet1") -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def accounts_workbook(rows: list[list[Any]], *, header: list[str] | None = None,
                      hidden_junk_sheet: bool = False) -> bytes:
    """The accounts template (imports/template.py), filled in with openpyxl as a clerk would in Excel."""
    import openpyxl

    from ipoverseas.imports import template

    book = openpyxl.load_workbook(io.BytesIO(template.build("accounts")))
    sheet = book.worksheets[0]
    if header:
        for c, title in enumerate(header, start=1):
            sheet.cell(1, c, title)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value)
    if hidden_junk_sheet:
        junk = book.create_sheet("old", 0)
        junk.append(["用户名", "姓名", "角色"])
        junk.append(["junk.user", "Junk", "admin"])
        junk.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def create_accounts(actor, data: bytes, filename: str = "accounts.xlsx"):
    """As the admin page does it: check the file, then create its accounts when it has no problem.

    Returns (the checked file, the (username, temporary password) pairs created: none on a problem).
    """
    from ipoverseas.imports import accounts

    checked = accounts.prepare(data, filename, actor)
    return checked, ([] if checked.errors else accounts.create(checked, actor))


def problems_of(checked) -> set[tuple]:
    """(row, column, code) of every error of a checked file."""
    return {(p.row, p.column, p.code) for p in checked.errors}


SNAPSHOT_TABLES = ("cases", "experts", "expert_countries", "expert_ip_types", "expert_industries",
                   "expert_languages", "articles", "article_countries", "article_ip_types", "article_industries")


def snapshot(tables: Iterable[str] = SNAPSHOT_TABLES) -> dict[str, list[tuple]]:
    """Every row of the data tables, sorted: for 'identical to before' comparisons."""
    out = {}
    with db.get_engine().connect() as conn:
        for table in tables:
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


def count(model, **where) -> int:
    from sqlalchemy import func

    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    with db.read_session() as s:
        return int(s.scalar(stmt))


def add_sub_centre(code: str, name: str = "") -> int:
    """A new sub-centre (to import into); returns its id."""
    from ipoverseas.core.models import SubCentre

    with db.write_session() as s:
        centre = SubCentre(code=code, name_zh=name or code, name_en=name or code)
        s.add(centre)
        s.flush()
        return centre.id


def sub_centre_id(code: str) -> int:
    from ipoverseas.core.models import SubCentre

    with db.read_session() as s:
        return s.scalar(select(SubCentre.id).where(SubCentre.code == code))


# --- the benchmark (tests/bench/test_import.py runs these in fresh processes) ---------------

BENCH_DIR = Path("/tmp/ipoverseas-bench")
# IPOVERSEAS_BENCH_ROWS: fewer rows, e.g. on PostgreSQL, where the case triggers make the floor itself slow
BENCH_ROWS = int(os.environ.get("IPOVERSEAS_BENCH_ROWS", "100000"))


def bench_files(n: int = BENCH_ROWS) -> tuple[Path, Path]:
    """The generated workbooks: n new cases, and the same n with every second row changed (cached)."""
    BENCH_DIR.mkdir(exist_ok=True)
    first, second = BENCH_DIR / f"cases-{n}-v2.xlsx", BENCH_DIR / f"cases-{n}-v2-half-changed.xlsx"
    if not first.exists():
        cases_workbook(first.with_suffix(".tmp"), n, ref_prefix="BENCH", texts=True).rename(first)
    if not second.exists():
        cases_workbook(second.with_suffix(".tmp"), n, ref_prefix="BENCH", changed_every=2, texts=True).rename(second)
    return first, second


def _fresh_db(url: str, *, neighbour: bool = False) -> None:
    """A migrated database with the benchmark's sub-centre (id 1); with `neighbour`, a second one
    holding one case, as in any network: the duplicate check then runs, as it would in use."""
    import os

    from ipoverseas.core import db as dbm
    from ipoverseas.core.models import Case, SubCentre

    os.environ["IPOVERSEAS_DATABASE_URL"] = url
    dbm.migrate()
    with dbm.write_session() as s:
        s.add(SubCentre(code="BN", name_zh="基准分中心", name_en="Bench"))
        if neighbour:
            other = SubCentre(code="NB", name_zh="邻近分中心", name_en="Neighbour")
            s.add(other)
            s.flush()
            s.add(Case(case_ref="NB-1", sub_centre_id=other.id, title="邻近分中心的案件", country="US",
                       dispute_type="itc_337", opposing_party="Acme Corp", filed_on=date(2024, 1, 1)))


def _peak_mb() -> tuple[float, float]:
    import resource

    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the reader child of the pipeline)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _server_cpu(url: str) -> dict[int, float]:
    """PostgreSQL on this machine: CPU seconds of each server process serving the database's clients (/proc)."""
    import os

    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)   # its own connection, left out
    with engine.connect() as conn:
        pids = conn.exec_driver_sql("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()").scalars().all()
    engine.dispose()
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:   # ended meanwhile, or another machine
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")   # utime + stime
    return out


def _server_cpu_since(url: str, before: dict[int, float]) -> float:
    """The server CPU seconds the database's client connections used since `before` (a server process
    that ended in between is not counted: the benchmark's connections stay in their pool)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in _server_cpu(url).items())


def bench_floor(url: str, first: str, second: str) -> None:
    """The floor: the fastest reader, then a plain executemany in one transaction."""
    import time

    from python_calamine import CalamineWorkbook

    _fresh_db(url)
    from ipoverseas.core import db as dbm

    def read(path):
        t = time.perf_counter()
        with CalamineWorkbook.from_path(path) as wb:
            rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
        return rows[1:], time.perf_counter() - t

    c0 = _cpu_s()
    rows, t_read = read(first)
    cols = "case_ref, title, country, dispute_type, filed_on, amount_usd, summary, guidance, lessons, source, " \
           "sub_centre_id, status, review_status, version, party_confidential, is_demo, created_at, updated_at"
    sc = 1
    engine = dbm.get_engine()
    raw = engine.raw_connection()
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    now = "2026-01-01 00:00:00"
    params = [(r[0], r[1], "US", "litigation", r[12] or None, r[16], r[18], r[19], r[20], r[21], sc, "ongoing",
               "submitted", 1, False, False, now, now) for r in rows]
    t = time.perf_counter()
    cur = raw.cursor()
    if engine.dialect.name == "sqlite":
        cur.execute("BEGIN")  # the engine's connections run in autocommit: one transaction, as the pipeline
    cur.executemany(f"INSERT INTO cases ({cols}) VALUES ({', '.join([mark] * 18)})", params)
    raw.commit()
    t_insert = time.perf_counter() - t
    c1 = _cpu_s()
    rows2, t_read2 = read(second)
    upd = [(r[1], r[16], r[0]) for i, r in enumerate(rows2) if i % 2 == 0]
    t = time.perf_counter()
    if engine.dialect.name == "sqlite":
        cur.execute("BEGIN")
    cur.executemany(f"UPDATE cases SET title = {mark}, amount_usd = {mark} WHERE sub_centre_id = 1 AND case_ref = {mark}", upd)
    raw.commit()
    t_update = time.perf_counter() - t
    c2 = _cpu_s()
    raw.close()
    print(f"floor_read_s={t_read:.2f}")
    print(f"floor_insert_s={t_insert:.2f}")
    print(f"floor_create_s={t_read + t_insert:.2f}")
    print(f"floor_update_s={t_read2 + t_update:.2f}")
    print(f"floor_create_cpu_s={c1 - c0:.2f}")
    print(f"floor_update_cpu_s={c2 - c1:.2f}")
    print(f"floor_peak_mb={_peak_mb()[0]:.0f}")


def _read_calamine(path) -> list:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(path) as wb:
        return wb.get_sheet_by_name(wb.sheet_names[0]).to_python()[1:]


def _read_fastexcel(path) -> list:
    import fastexcel   # optional: the fastest reader, when installed (it reads into Arrow columns)

    table = fastexcel.read_excel(str(path)).load_sheet(0).to_arrow()
    return list(zip(*[column.to_pylist() for column in table.columns]))


def _fastest_read(path) -> tuple[str, float, list, float]:
    """Every installed reader once; the fastest one's name, seconds and rows (the header left out),
    and the CPU seconds the others took (not the floor's: the caller takes them off)."""
    import time

    best, cpu = None, {}
    for name, read in (("calamine", _read_calamine), ("fastexcel", _read_fastexcel)):
        try:
            t, c = time.perf_counter(), _cpu_s()
            rows = read(path)
        except ImportError:
            continue
        elapsed, cpu[name] = time.perf_counter() - t, _cpu_s() - c
        print(f"true_floor_read_{name}_s={elapsed:.2f}")
        if best is None or elapsed < best[1]:
            best = (name, elapsed, rows)
        del rows
    return (*best, sum(v for name, v in cpu.items() if name != best[0]))


_FLOOR_COLUMNS = ("case_ref", "title", "country", "forum", "dispute_type", "ip_type", "industry", "province",
                  "chinese_party", "chinese_party_role", "party_confidential", "opposing_party", "filed_on",
                  "closed_on", "status", "outcome", "amount_usd", "defendants_count", "summary", "guidance", "lessons",
                  "source", "sub_centre_id", "review_status", "version", "is_demo", "created_at", "updated_at")
_FTS_DOC = ("coalesce({r}title, '') || char(1) || coalesce({r}summary, '') || char(1) || coalesce({r}guidance, '') "
            "|| char(1) || coalesce({r}lessons, '') || char(1) || char(1)")


def _floor_values(rows: list) -> list[tuple]:
    """Every column the pipeline writes; the cell's own words where the pipeline stores a code (as many
    distinct values, so the indexes do the same work), cut to the column's length."""
    def day(v):
        return v.date().isoformat() if hasattr(v, "date") else (v.isoformat() if v else None)

    now = "2026-01-01 00:00:00.000000"
    return [(r[0], r[1], r[2][:8], r[3], r[4], r[5], r[6], r[7][:8], r[8], r[9], r[10] == "是", r[11], day(r[12]),
             day(r[13]), "closed" if r[13] else "ongoing", r[15], float(r[16]), int(r[17]), r[18], r[19], r[20], r[21],
             1, "submitted", 1, False, now, now) for r in rows]


def bench_true_floor(url: str, first: str, second: str) -> None:
    """The true floor (issue 16): the fastest reader, then the rows into `cases` with the same indexes and
    no triggers, then the full-text index and each totals table by one statement each. Its update: one
    keyed UPDATE .. FROM a staging table, the changed rows' full-text entries and the totals likewise.
    PostgreSQL: COPY into the real table (its triggers and gram index kept), and the bare COPY into a
    copy of the table without indexes or triggers; the update COPYs into a staging table, then one
    UPDATE .. FROM it."""
    import time

    _fresh_db(url)
    from ipoverseas.core import db as dbm

    engine = dbm.get_engine()
    if engine.dialect.name == "postgresql":
        return _true_floor_postgresql(engine, url, first, second)
    from ipoverseas.cases import rollups
    from ipoverseas.cases.facets import rebuild_facet_totals, rebuild_pair_facets

    with engine.begin() as conn:   # a copy of cases with the same indexes: the real one, its triggers gone
        for (name,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                            "AND tbl_name = 'cases'").all():
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    c0 = _cpu_s()
    reader, t_read, rows, other_cpu = _fastest_read(first)
    c0 += other_cpu
    print(f"true_floor_reader={reader}")
    params = _floor_values(rows)
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO cases ({', '.join(_FLOOR_COLUMNS)}) "
                             f"VALUES ({', '.join(['?'] * len(_FLOOR_COLUMNS))})", params)
        t_insert = time.perf_counter() - t
        conn.exec_driver_sql(f"INSERT INTO cases_fts (rowid, doc) SELECT id, {_FTS_DOC.format(r='')} FROM cases")
        t_fts = time.perf_counter() - t - t_insert
        rebuild_facet_totals(conn)
        rebuild_pair_facets(conn)
        rollups.rebuild(conn)
    t_create = time.perf_counter() - t
    c1 = _cpu_s()
    del rows, params
    _, t_read2, rows2, other_cpu = _fastest_read(second)
    c1 += other_cpu
    changed = [(r[0], r[1], float(r[16])) for i, r in enumerate(rows2) if i % 2 == 0]
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE floor_stage (case_ref, title, amount_usd)")
        conn.exec_driver_sql("INSERT INTO floor_stage VALUES (?, ?, ?)", changed)
        keyed = "FROM floor_stage AS s WHERE c.sub_centre_id = 1 AND c.case_ref = s.case_ref"
        conn.exec_driver_sql(f"INSERT INTO cases_fts (cases_fts, rowid, doc) SELECT 'delete', c.id, "
                             f"{_FTS_DOC.format(r='c.')} FROM cases AS c JOIN floor_stage AS s "
                             f"ON c.sub_centre_id = 1 AND c.case_ref = s.case_ref")
        conn.exec_driver_sql(f"UPDATE cases AS c SET title = s.title, amount_usd = s.amount_usd {keyed}")
        conn.exec_driver_sql(f"INSERT INTO cases_fts (rowid, doc) SELECT c.id, {_FTS_DOC.format(r='c.')} "
                             f"FROM cases AS c JOIN floor_stage AS s ON c.sub_centre_id = 1 AND c.case_ref = s.case_ref")
        rebuild_facet_totals(conn)
        rebuild_pair_facets(conn)
        rollups.rebuild(conn)
    t_update = time.perf_counter() - t
    c2 = _cpu_s()
    print(f"true_floor_read_s={t_read:.2f}")
    print(f"true_floor_insert_s={t_insert:.2f}")
    print(f"true_floor_fts_s={t_fts:.2f}")
    print(f"true_floor_create_s={t_read + t_create:.2f}")
    print(f"true_floor_update_s={t_read2 + t_update:.2f}")
    print(f"true_floor_create_cpu_s={c1 - c0:.2f}")
    print(f"true_floor_update_cpu_s={c2 - c1:.2f}")
    print(f"true_floor_peak_mb={_peak_mb()[0]:.0f}")


def _true_floor_postgresql(engine, url: str, first: str, second: str) -> None:
    """(CPU: this process's and the server's, the reader that lost the race and the bare COPY left out.)"""
    import time

    columns = ", ".join(_FLOOR_COLUMNS)
    c0 = _cpu_s()
    reader, t_read, rows, other_cpu = _fastest_read(first)
    cpu_create = _cpu_s() - c0 - other_cpu
    print(f"true_floor_reader={reader}")
    params = _floor_values(rows)
    del rows

    def copy(conn, table: str, cols: str, values) -> None:
        with conn.connection.dbapi_connection.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as out:
            for row in values:
                out.write_row(row)

    with engine.begin() as conn:   # the bare COPY: a copy of the table without indexes or triggers
        conn.exec_driver_sql("CREATE TABLE cases_bare (LIKE cases INCLUDING DEFAULTS)")
    t = time.perf_counter()
    with engine.begin() as conn:
        copy(conn, "cases_bare", columns, params)
    t_bare = time.perf_counter() - t
    t, c0, s0 = time.perf_counter(), _cpu_s(), _server_cpu(url)
    with engine.begin() as conn:
        copy(conn, "cases", columns, params)
    t_copy = time.perf_counter() - t
    cpu_create += _cpu_s() - c0 + _server_cpu_since(url, s0)
    del params
    c0 = _cpu_s()
    _, t_read2, rows2, other_cpu = _fastest_read(second)
    changed = [(r[0], r[1], float(r[16])) for i, r in enumerate(rows2) if i % 2 == 0]
    cpu_update = _cpu_s() - c0 - other_cpu
    t, c0, s0 = time.perf_counter(), _cpu_s(), _server_cpu(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE floor_stage (case_ref text, title text, amount_usd numeric) "
                             "ON COMMIT DROP")
        copy(conn, "floor_stage", "case_ref, title, amount_usd", changed)
        conn.exec_driver_sql("UPDATE cases AS c SET title = s.title, amount_usd = s.amount_usd "
                             "FROM floor_stage AS s WHERE c.sub_centre_id = 1 AND c.case_ref = s.case_ref")
    t_update = time.perf_counter() - t
    cpu_update += _cpu_s() - c0 + _server_cpu_since(url, s0)
    print(f"true_floor_read_s={t_read:.2f}")
    print(f"true_floor_copy_bare_s={t_bare:.2f}")
    print(f"true_floor_copy_s={t_copy:.2f}")
    print(f"true_floor_create_s={t_read + t_copy:.2f}")
    print(f"true_floor_update_s={t_read2 + t_update:.2f}")
    print(f"true_floor_create_cpu_s={cpu_create:.2f}")
    print(f"true_floor_update_cpu_s={cpu_update:.2f}")
    print(f"true_floor_peak_mb={_peak_mb()[0]:.0f}")


def bench_pipeline(url: str, first: str, second: str) -> None:
    """The pipeline: pre-flight + read/validate (child) + plan + apply, as `python -m ipoverseas import` runs
    it, the duplicate check after the commit included (another sub-centre has a case)."""
    import time

    _fresh_db(url, neighbour=True)
    from ipoverseas.imports import service

    server = url.startswith("postgresql")   # its CPU too (the server on this machine)
    for name, path in (("create", first), ("update", second)):
        s0 = _server_cpu(url) if server else {}
        t, c = time.perf_counter(), _cpu_s()
        prepared, result = service.run(Path(path), Path(path).name, "cases", None, 1)
        elapsed, cpu = time.perf_counter() - t, _cpu_s() - c
        cpu += _server_cpu_since(url, s0) if server else 0.0
        assert result is not None and not result.nothing_to_do, result
        print(f"pipeline_{name}_s={elapsed:.2f}")
        print(f"pipeline_{name}_cpu_s={cpu:.2f}")
        print(f"pipeline_{name}_counts=" + ",".join(f"{k}:{v}" for k, v in result.counts.items() if v))
    parent, child = _peak_mb()
    print(f"pipeline_peak_parent_mb={parent:.0f}")
    print(f"pipeline_peak_reader_mb={child:.0f}")


def allocate(megabytes: int) -> int:
    """Run in the reader child by a test: allocate until the memory limit stops it."""
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


class _NoMemoryToPickle:
    def __reduce__(self):
        raise MemoryError


def result_that_runs_out_of_memory_when_pickled() -> list:
    """Run in the reader child by a test: a result whose pickling fails after about 2 MB are out."""
    return ["部分" * 3500 for _ in range(100)] + [_NoMemoryToPickle()]
