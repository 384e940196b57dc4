"""Fast generators of plausible cases and articles, for benchmarks and scale tests.

    fill_cases(engine, n, seed=0)      -> number of cases inserted
    fill_articles(engine, n, seed=0)   -> number of articles inserted

Rows go straight into a migrated database with SQLAlchemy Core bulk inserts (the
search triggers index them as they go). Sub-centres BENCH01..12 are created when
missing. The text mixes Chinese and English from templates, with words of very
different frequencies (a company name appears in ~1 case in 5,000; a product in ~1
in 60; 专利 in about half), so searches of every selectivity can be measured.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, insert, select, update

from ipoverseas.core.models import (Article, ArticleCountry, ArticleIndustry, ArticleIpType, Case, Revision, SubCentre)

BATCH = 5_000

PROVINCES = ["ZJ", "GD", "JS", "SH", "BJ", "SD", "FJ", "SC", "HB", "TJ", "AH", "HN"]
PROVINCE_ZH = dict(zip(PROVINCES, ["浙江", "广东", "江苏", "上海", "北京", "山东", "福建", "四川", "湖北", "天津", "安徽", "湖南"]))
COUNTRIES = [("US", "美国", 34), ("DE", "德国", 9), ("EU", "欧盟", 5), ("GB", "英国", 5), ("JP", "日本", 5),
             ("KR", "韩国", 4), ("FR", "法国", 3), ("IN", "印度", 4), ("BR", "巴西", 3), ("RU", "俄罗斯", 3),
             ("TR", "土耳其", 3), ("VN", "越南", 3), ("TH", "泰国", 3), ("ID", "印度尼西亚", 2), ("MX", "墨西哥", 2),
             ("AE", "阿联酋", 2), ("SA", "沙特阿拉伯", 2), ("AU", "澳大利亚", 2), ("CA", "加拿大", 2), ("IT", "意大利", 2),
             ("ES", "西班牙", 1), ("NL", "荷兰", 1), ("PL", "波兰", 1), ("ZA", "南非", 1), ("NG", "尼日利亚", 1),
             ("EG", "埃及", 1), ("MY", "马来西亚", 1), ("SG", "新加坡", 1), ("CL", "智利", 1), ("AR", "阿根廷", 1)]
DISPUTES = [("litigation", "专利侵权诉讼", "court", 30), ("itc_337", "337调查", "itc", 8),
            ("customs", "海关扣押", "customs", 10), ("trade_fair", "展会禁令", "trade_fair", 7),
            ("ecommerce", "Schedule A 电商诉讼", "ecommerce_platform", 22), ("squatting", "商标抢注", "ip_office", 12),
            ("licensing", "许可纠纷", "arbitration", 6), ("trade_secret_criminal", "商业秘密指控", "court", 5)]
IP_TYPES = [("patent", 35), ("utility_model", 5), ("design", 15), ("trademark", 30), ("copyright", 10),
            ("trade_secret", 5)]
INDUSTRIES = [("electronics", 22), ("telecom", 6), ("machinery", 10), ("auto", 6), ("new_energy", 10),
              ("chemicals", 5), ("pharma", 4), ("medical_devices", 4), ("textiles", 8), ("light_industry", 15),
              ("food_agri", 3), ("software", 7)]
OUTCOMES = [("won", 25), ("partial", 10), ("lost", 15), ("settled", 30), ("withdrawn", 10), ("default_judgment", 10)]
PRODUCTS = ["灯具", "电池", "无人机", "扫地机", "电动牙刷", "光伏组件", "充电器", "耳机", "玩具", "服装", "鞋靴", "家具",
            "机床", "轮胎", "显示屏", "手机壳", "咖啡机", "割草机", "电动车", "储能柜", "医用口罩", "血压计", "芯片",
            "路由器", "摄像头", "led lamps", "power banks", "e-bikes", "drones", "vacuum robots", "solar panels",
            "smart watches", "phone cases", "kitchen knives", "fitness trackers"]
SYLLABLES = "华 新 宏 达 盛 瑞 腾 越 恒 信 安 泰 嘉 博 远 鑫 丰 联 创 科 美 佳 通 明 晟 翔 凯 德 源 川".split()
SUFFIXES = ["电子", "科技", "电器", "实业", "智能", "照明", "新能源", "机械", "贸易", "服饰"]
OPPONENTS = ["Arcturus", "Bluewave", "Corvid", "Delmont", "Everline", "Foxbridge", "Granite", "Halcyon", "Ironleaf",
             "Juniper", "Kestrel", "Lumen", "Meridian", "Northgate", "Orchard", "Pinecrest", "Quillon", "Redfern"]
SUMMARIES = [
    "{prov}某{ind}企业主要向{country}出口{product}。{year}年，{opp}以侵犯{ip}为由对其提起{dispute}，请求禁令和赔偿。",
    "{company}的{product}在{country}遭遇{dispute}，权利人{opp}主张{ip}侵权，涉案金额约{amount}万美元。",
    "In {year}, {opp} filed a {dispute_en} case in {country_en} against {n} sellers of {product}, alleging {ip} infringement.",
    "{country}{dispute}：{opp}指控{company}的{product}侵犯其{ip}，企业在分中心指导下积极应诉。",
]
GUIDANCE = ["分中心组织专家评估不侵权抗辩，建议及时应诉并保全证据。", "建议尽快聘请当地律师，核查{ip}权属与有效性。",
            "Respond before the deadline; consider a declaratory judgment or a design-around.",
            "建议与权利人协商和解，同时准备无效宣告请求。"]
LESSONS = ["出海前开展FTO检索，提前布局{ip}。", "保留研发记录，完善商业秘密管理制度。",
           "Register trademarks early in {country_en}; monitor platform complaints.", "关注展会期间的临时禁令风险。"]


def _weighted(rng: random.Random, items):
    values = [i[:-1] if len(i) > 2 else i[0] for i in items]
    weights = [i[-1] for i in items]
    return rng.choices(values, weights=weights)


def _ensure_sub_centres(conn) -> list[tuple[int, str]]:
    existing = conn.execute(select(SubCentre.id, SubCentre.province).where(SubCentre.code.like("BENCH%"))).all()
    if not existing:
        conn.execute(insert(SubCentre), [dict(code=f"BENCH{i + 1:02d}", name_zh=f"{PROVINCE_ZH[p]}分中心（基准）",
                                             name_en=f"{p} sub-centre (bench)", province=p, active=True, is_demo=False)
                                        for i, p in enumerate(PROVINCES)])
        existing = conn.execute(select(SubCentre.id, SubCentre.province).where(SubCentre.code.like("BENCH%"))).all()
    return [(r.id, r.province) for r in existing]


def _companies(rng: random.Random, n: int = 5000) -> list[str]:
    names = set()
    while len(names) < n:
        names.add(rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(SUFFIXES))
    return sorted(names)


def case_rows(n: int, seed: int, sub_centres: list[tuple[int, str]], start: int = 0):
    """Yield lists of case dicts, BATCH at a time (columns drawn a batch at once, for speed)."""
    from ipoverseas.core import vocab

    rng = random.Random(seed)
    companies = _companies(random.Random(seed + 1))
    en_names = {c: vocab.countries().label(c, "en") for c, _, _ in COUNTRIES}
    ip_zh = {"patent": "发明专利", "utility_model": "实用新型专利", "design": "外观设计专利", "trademark": "商标",
             "copyright": "著作权", "trade_secret": "商业秘密"}
    countries = [(c, zh) for c, zh, _ in COUNTRIES]
    country_w = list(_cum([w for *_, w in COUNTRIES]))
    disputes = [d[:3] for d in DISPUTES]
    dispute_w = list(_cum([d[3] for d in DISPUTES]))
    ips, ip_w = [x for x, _ in IP_TYPES], list(_cum([w for _, w in IP_TYPES]))
    inds, ind_w = [x for x, _ in INDUSTRIES], list(_cum([w for _, w in INDUSTRIES]))
    outs, out_w = [o for o, _ in OUTCOMES], list(_cum([w for _, w in OUTCOMES]))
    opponents = [o + " " + s for o in OPPONENTS for s in ("LLC", "Inc.", "GmbH", "Ltd.")]
    done = 0
    while done < n:
        k = min(BATCH, n - done)
        c_pick = rng.choices(countries, cum_weights=country_w, k=k)
        d_pick = rng.choices(disputes, cum_weights=dispute_w, k=k)
        ip_pick = rng.choices(ips, cum_weights=ip_w, k=k)
        ind_pick = rng.choices(inds, cum_weights=ind_w, k=k)
        out_pick = rng.choices(outs, cum_weights=out_w, k=k)
        batch = []
        rand = rng.random
        randint = rng.randint
        choice = rng.choice
        for j in range(k):
            i = start + done + j
            country, country_zh = c_pick[j]
            dispute, dispute_zh, forum = d_pick[j]
            ip = ip_pick[j]
            sc_id, province = sub_centres[i % len(sub_centres)]
            year = randint(2012, 2026)
            filed = date(year, 1, 1) + timedelta(days=randint(0, 330))
            closed = filed + timedelta(days=randint(20, 1500)) if rand() < 0.65 else None
            if closed and closed > date(2026, 11, 1):
                closed = None
            product = choice(PRODUCTS)
            company = choice(companies)
            opp = choice(opponents)
            defendants = randint(20, 600) if dispute == "ecommerce" else randint(1, 4)
            amount = Decimal(randint(5, 5000) * 1000) if rand() < 0.55 else None
            words = dict(prov=PROVINCE_ZH[province], ind="", country=country_zh, country_en=en_names[country],
                         product=product, year=year, opp=opp, ip=ip_zh[ip], dispute=dispute_zh, dispute_en=dispute,
                         company=company, amount=int(amount / 10000) if amount else "若干", n=defendants)
            r = rand()
            review = "published" if r < 0.85 else "approved" if r < 0.92 else "submitted" if r < 0.97 else "returned"
            distinction = None
            if review == "published" and rand() < 0.01:
                distinction = "typical" if rand() < 0.7 else "guiding"
            batch.append(dict(
                case_ref=f"B{i:08d}", sub_centre_id=sc_id, title=f"{country_zh}{dispute_zh}：{company}{product}案",
                country=country, forum=forum, dispute_type=dispute, ip_type=ip, industry=ind_pick[j],
                province=province, chinese_party=company + "有限公司",
                chinese_party_role="defendant" if rand() < 0.85 else "plaintiff",
                party_confidential=rand() < 0.2, opposing_party=opp, filed_on=filed, closed_on=closed,
                status="closed" if closed else "ongoing", outcome=out_pick[j] if closed else "pending",
                amount_usd=amount, defendants_count=defendants, summary=choice(SUMMARIES).format(**words),
                guidance=choice(GUIDANCE).format(**words), lessons=choice(LESSONS).format(**words),
                source="基准数据", review_status=review, distinction=distinction, review_note=None,
                is_demo=False, version=1,
            ))
        done += k
        yield batch


def _cum(weights):
    total = 0
    for w in weights:
        total += w
        yield total


def fill_cases(engine: Engine, n: int, seed: int = 0, progress=None) -> int:
    """Insert n generated cases; returns n.

    SQLite takes a fast path for big loads: batches are generated in worker processes,
    the indexes and the search trigger of `cases` are set aside during the load and
    rebuilt afterwards in one pass each (the FTS index in one INSERT ... SELECT). The
    result is the same database the row-by-row path gives.
    """
    with engine.begin() as conn:
        sub_centres = _ensure_sub_centres(conn)
        start = int(conn.scalar(select(func.count()).select_from(Case)) or 0)
    if engine.dialect.name == "postgresql" and n >= 50_000:
        done = _fill_cases_postgres(engine, n, seed, sub_centres, start, progress)
    elif engine.dialect.name == "sqlite" and n >= 50_000:
        done = _fill_cases_sqlite(engine, n, seed, sub_centres, start, progress)
        with engine.begin() as conn:  # the load went around the totals and rollup triggers
            if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'case_facet_totals'").first():
                from ipoverseas.cases.facets import rebuild_facet_totals, rebuild_pair_facets
                rebuild_facet_totals(conn)
                rebuild_pair_facets(conn)
            if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'case_rollups'").first():
                from ipoverseas.cases import rollups
                rollups.rebuild(conn)
    else:
        done = 0
        for rows in case_rows(n, seed, sub_centres, start):
            with engine.begin() as conn:
                conn.execute(insert(Case), rows)
            done += len(rows)
            if progress:
                progress(done)
    _bump(engine)
    return done


def _batch(args):
    seed, sub_centres, start, k = args
    rows = next(case_rows(k, seed, sub_centres, start))
    now = datetime.now().isoformat(sep=" ")
    out = []
    for r in rows:
        r["amount_usd"] = float(r["amount_usd"]) if r["amount_usd"] is not None else None
        r["filed_on"] = r["filed_on"].isoformat()
        r["closed_on"] = r["closed_on"].isoformat() if r["closed_on"] else None
        r["created_at"] = r["updated_at"] = now
        out.append(tuple(r[c] for c in CASE_COLUMNS))
    return out


CASE_COLUMNS = ("case_ref", "sub_centre_id", "title", "country", "forum", "dispute_type", "ip_type", "industry",
                "province", "chinese_party", "chinese_party_role", "party_confidential", "opposing_party",
                "filed_on", "closed_on", "status", "outcome", "amount_usd", "defendants_count", "summary",
                "guidance", "lessons", "source", "review_status", "distinction", "review_note", "is_demo",
                "version", "created_at", "updated_at")


def _fill_cases_sqlite(engine, n, seed, sub_centres, start, progress) -> int:
    import multiprocessing

    import sqlite3

    from ipoverseas.core import db

    first_id_sql = "SELECT coalesce(max(id), 0) + 1 FROM cases"
    db.dispose_all()  # no other connection: the load runs without a journal, then WAL is restored
    raw = sqlite3.connect(engine.url.database, isolation_level=None)
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA journal_mode = OFF")
        cur.execute("PRAGMA cache_size = -1000000")
        first_id = cur.execute(first_id_sql).fetchone()[0]
        saved = cur.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name='cases' AND sql IS NOT NULL "
                            "AND type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_autoindex%'").fetchall()
        keep_unique = [name for kind, name, sql in saved if kind == "index" and "UNIQUE" in sql.upper()]
        dropped = [(kind, name, sql) for kind, name, sql in saved if name not in keep_unique]
        cur.execute("PRAGMA synchronous = OFF")
        for kind, name, _ in dropped:
            cur.execute(f"DROP {kind.upper()} {name}")
        placeholders = ", ".join("?" for _ in CASE_COLUMNS)
        sql = f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}) VALUES ({placeholders})"
        jobs = []
        for b, offset in enumerate(range(0, n, BATCH)):
            jobs.append((seed * 1_000_003 + b, sub_centres, start + offset, min(BATCH, n - offset)))
        done = 0
        with multiprocessing.get_context("fork").Pool(max(1, min(4, (multiprocessing.cpu_count() or 2)))) as pool:
            cur.execute("BEGIN")
            for rows in pool.imap(_batch, jobs, chunksize=1):
                cur.executemany(sql, rows)
                done += len(rows)
                if done % 100_000 < BATCH:
                    cur.execute("COMMIT")
                    cur.execute("BEGIN")
                if progress:
                    progress(done)
            cur.execute("COMMIT")
        cur.execute("BEGIN")
        for kind, name, ddl in dropped:
            if kind == "index":
                cur.execute(ddl)
        doc = ("coalesce(title,'') || char(1) || coalesce(summary,'') || char(1) || coalesce(guidance,'')"
               " || char(1) || coalesce(lessons,'') || char(1) || char(1)")
        if any(name == "cases_fts_ai" for _, name, _ in dropped):
            cur.execute(f"INSERT INTO cases_fts(rowid, doc) SELECT id, {doc} FROM cases WHERE id >= ?", (first_id,))
        for kind, name, ddl in dropped:
            if kind == "trigger":
                cur.execute(ddl)
        cur.execute("COMMIT")
        cur.execute("PRAGMA analysis_limit = 1000")
        cur.execute("ANALYZE")
        cur.execute("PRAGMA journal_mode = WAL")
        return done
    finally:
        raw.close()


def _fill_cases_postgres(engine, n, seed, sub_centres, start, progress) -> int:
    """PostgreSQL's fast path: the secondary indexes of `cases` are set aside, the rows go in with COPY
    (a batch per statement, so the statement-level totals/rollup triggers still run), and the indexes
    are rebuilt in one pass each."""
    import multiprocessing

    from sqlalchemy import text

    with engine.begin() as conn:
        saved = conn.execute(text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = 'cases'::regclass AND NOT x.indisprimary AND NOT x.indisunique")).all()
        for name, _ in saved:
            conn.execute(text(f'DROP INDEX "{name}"'))
    jobs = [(seed * 1_000_003 + b, sub_centres, start + offset, min(BATCH, n - offset))
            for b, offset in enumerate(range(0, n, BATCH))]
    done = 0
    raw = engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        with multiprocessing.get_context("fork").Pool(max(1, min(4, (multiprocessing.cpu_count() or 2)))) as pool:
            for rows in pool.imap(_batch, jobs, chunksize=1):
                with cur.copy(f"COPY cases ({', '.join(CASE_COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                done += len(rows)
                if done % 100_000 < BATCH:
                    raw.commit()
                if progress:
                    progress(done)
        raw.commit()
        cur.execute("SET maintenance_work_mem = '1GB'")
        for _, ddl in saved:
            cur.execute(ddl)
        raw.commit()
    finally:
        raw.close()
    return done


ARTICLE_KINDS = [("country_guide", 30), ("law_procedure", 25), ("risk_alert", 20), ("practice_guide", 25)]
ARTICLE_PARAS = [
    "## 概述\n\n{country}的知识产权执法以{forum}为主。企业出口{product}前，应检索当地{ip}并评估风险。",
    "## 程序\n\n收到起诉状后应在规定期限内答辩；{dispute}通常进展迅速，需尽早聘请律师。",
    "## Practice\n\nSellers of {product} in {country_en} should keep evidence of independent design and monitor "
    "platform notices. Deadlines in {dispute_en} matters are short.",
    "## 风险提示\n\n近期{country}针对{product}的{dispute}明显增多，请相关企业提高警惕。",
]


def fill_articles(engine: Engine, n: int, seed: int = 0) -> int:
    """Insert n generated published articles (with countries, IP types, industries); returns n."""
    rng = random.Random(seed)
    with engine.begin() as conn:
        sub_centres = _ensure_sub_centres(conn)
        start = int(conn.scalar(select(func.count()).select_from(Article)) or 0)
    from ipoverseas.core import vocab
    done = 0
    while done < n:
        size = min(1000, n - done)
        rows, links = [], []
        for j in range(size):
            i = start + done + j
            country, country_zh = rng.choices([(c, zh) for c, zh, _ in COUNTRIES], weights=[w for *_, w in COUNTRIES])[0]
            dispute, dispute_zh, forum = rng.choices([d[:3] for d in DISPUTES], weights=[d[3] for d in DISPUTES])[0]
            kind = rng.choices([k for k, _ in ARTICLE_KINDS], weights=[w for _, w in ARTICLE_KINDS])[0]
            product = rng.choice(PRODUCTS)
            words = dict(country=country_zh, country_en=vocab.countries().label(country, "en"), forum=forum,
                         product=product, ip=rng.choice(["专利", "商标", "外观设计"]), dispute=dispute_zh,
                         dispute_en=dispute)
            body = "\n\n".join(p.format(**words) for p in rng.sample(ARTICLE_PARAS, 3))
            published = date(2018, 1, 1) + timedelta(days=rng.randint(0, 3200))
            rows.append(dict(ref=f"BA{i:07d}", sub_centre_id=sub_centres[i % len(sub_centres)][0], kind=kind,
                             title_zh=f"{country_zh}{dispute_zh}{'风险预警' if kind == 'risk_alert' else '指南'}：{product}",
                             title_en=f"{words['country_en']} {dispute}: {product}", body=body, language="zh",
                             dispute_type=dispute,
                             severity=rng.choice(["high", "medium", "low"]) if kind == "risk_alert" else None,
                             valid_until=published + timedelta(days=rng.randint(30, 720)) if kind == "risk_alert" else None,
                             source="基准数据", status="published", published_on=published, version=1, is_demo=False))
            links.append((country, rng.choice(["patent", "trademark", "design"]),
                          rng.choice([x for x, _ in INDUSTRIES])))
        with engine.begin() as conn:
            ids = conn.execute(insert(Article).returning(Article.id, sort_by_parameter_order=True), rows).scalars().all()
            conn.execute(insert(ArticleCountry), [dict(article_id=a, country=c) for a, (c, _, _) in zip(ids, links)])
            conn.execute(insert(ArticleIpType), [dict(article_id=a, ip_type=t) for a, (_, t, _) in zip(ids, links)])
            conn.execute(insert(ArticleIndustry), [dict(article_id=a, industry=x) for a, (_, _, x) in zip(ids, links)])
        done += size
    _bump(engine)
    return done


def _bump(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(Revision).where(Revision.id == 1).values(value=Revision.value + 1))


def build_sqlite(path: str, n_cases: int, n_articles: int = 0, seed: int = 0, progress=None) -> str:
    """A migrated SQLite file with n generated cases and articles, built once and reused.

    The file is built under a temporary name and renamed when complete, so an
    interrupted build is never mistaken for a finished one.
    """
    import os
    from pathlib import Path

    from ipoverseas.core import db

    target = Path(path)
    if target.exists():
        engine = db.get_engine(f"sqlite:///{target}")
        db.migrate(engine)
        return str(target)
    partial = target.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    url = f"sqlite:///{partial}"
    engine = db.get_engine(url)
    db.migrate(engine)
    fill_cases(engine, n_cases, seed, progress)
    if n_articles:
        fill_articles(engine, n_articles, seed)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose_all()
    os.replace(partial, target)
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    return str(target)


def time_page(monkeypatch, url: str, module: str, user, query: dict, shows: str, runs: int,
              before_each=None) -> float:
    """Median script time of a page in AppTest over `runs` runs, Streamlit's caches cleared and the
    connections new each time (and `before_each()` called, to clear a cache of the page's own);
    each run must show `shows` and raise nothing."""
    import statistics
    import time

    import streamlit as st

    from ipoverseas.core import db
    from tests.pages.apptest import run_page, texts

    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", url)
    times = []
    for _ in range(runs):
        st.cache_data.clear()
        db.dispose_all()
        if before_each is not None:
            before_each()
        started = time.perf_counter()
        at = run_page(module, user, lang="zh", query=query, timeout=120)
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
        assert shows in texts(at), texts(at)[:300]
    return statistics.median(times)


def print_figures(counts: dict, figures: dict, limit: float) -> None:
    """One name=value line per figure; fails when a figure is over `limit` seconds."""
    print()
    for name, value in counts.items():
        print(f"{name}={value}")
    for name, value in figures.items():
        print(f"{name}={value:.3f}")
    slow = {k: v for k, v in figures.items() if v > limit}
    assert not slow, f"over {limit} s: {slow}"


def build_postgres(admin_url: str, name: str, n_cases: int, n_articles: int = 0, seed: int = 0,
                   progress=None, demo: bool = False) -> str:
    """A migrated PostgreSQL database `name` with n generated cases and articles (and with `demo`, the
    demo content too: its accounts, consultations...), built once and reused.

    `admin_url` is any URL of the server (its database is replaced). The database is built as
    `<name>_partial` and renamed when complete, so an interrupted build is never mistaken for a
    finished one. Returns the URL of the database.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from ipoverseas.core import db

    def url_of(database: str) -> str:
        return make_url(admin_url).set(database=database).render_as_string(hide_password=False)

    admin = create_engine(url_of("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if exists:
            db.migrate(db.get_engine(url_of(name)))
            if demo:
                _ensure_demo(url_of(name))
            return url_of(name)
        partial = f"{name}_partial"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{partial}"'))
        engine = db.get_engine(url_of(partial))
        db.migrate(engine)
        fill_cases(engine, n_cases, seed, progress)
        if n_articles:
            fill_articles(engine, n_articles, seed)
        if demo:
            _ensure_demo(url_of(partial))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        engine.dispose()
        db.dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{partial}" RENAME TO "{name}"'))
        return url_of(name)
    finally:
        admin.dispose()


def _ensure_demo(url: str) -> None:
    """Load the demo content into the database at `url` unless it is there."""
    import os

    from ipoverseas import demo
    from ipoverseas.core import db

    old = os.environ.get("IPOVERSEAS_DATABASE_URL")
    os.environ["IPOVERSEAS_DATABASE_URL"] = url
    try:
        if not demo.is_loaded():
            demo.load()
    finally:
        if old is None:
            os.environ.pop("IPOVERSEAS_DATABASE_URL", None)
        else:
            os.environ["IPOVERSEAS_DATABASE_URL"] = old
        db.dispose_all()
