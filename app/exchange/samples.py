"""Sample import files written next to a demo ledger, consistent with its people, so every import in the
README can be tried by a newcomer (all people fictional):

- ``户籍花名册-样例.xlsx``: a district roster (title rows, 村(居), 组别, 本人, 民族, 人员类别) of new households in
  the demo's villages, one of them in a group the ledger does not have yet;
- ``民政类别名单-样例.xlsx``: a 民政 list of 低保/特困 recognitions for demo people who have none;
- ``税务缴费.xlsx``: a tax bureau payment confirmation for unpaid demo people, amounts as the policy quotes them
  (written as Excel numbers, as the tax system does), plus one row for somebody not in the ledger.

A file that already exists is never overwritten unless it is itself one of these samples (a marker in the
workbook's properties) and ``replace`` is given.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from stdnum.cn import ric

from ..domain.problems import ProblemsError

MARKER = "Canbao 演示样例（虚构人员）"
ROSTER, CATEGORY, PAYMENT = "户籍花名册-样例.xlsx", "民政类别名单-样例.xlsx", "税务缴费.xlsx"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉梅红文斌宇浩凯鹏辉丹萍欣怡子涵梓轩"


@dataclass(frozen=True, slots=True)
class SampleFile:
    path: Path
    rows: int
    written: bool  # False: a file of that name was there and was kept


def _is_sample(path: Path) -> bool:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return wb.properties.subject == MARKER
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - not a workbook we can read: certainly not ours
        return False


def _save(path: Path, rows: list[list], merges: list[str], replace: bool) -> SampleFile:
    import openpyxl

    n = sum(1 for r in rows if r and isinstance(r[0], int))
    if path.exists() and not (replace and _is_sample(path)):
        return SampleFile(path, n, False)
    wb = openpyxl.Workbook()
    wb.properties.subject = MARKER
    ws = wb.active
    ws.title = "Sheet1"
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    for col, width in zip("ABCDEFGHIJKLM", (6, 12, 8, 10, 10, 12, 21, 6, 8, 12, 14, 12, 12)):
        ws.column_dimensions[col].width = width
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return SampleFile(path, n, True)


def _new_id(rng: random.Random, area: str, birth: dt.date, male: bool, taken) -> str:
    while True:
        seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
        body = f"{area}{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in taken:
            taken.add(number)
            return number


def _name(rng: random.Random, surname: str | None = None) -> str:
    return (surname or rng.choice(SURNAMES)) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def write_samples(ledger, folder: str | Path, *, seed: int = 1, replace: bool = False) -> list[SampleFile]:
    """Write the three sample files into ``folder`` (the demo ledger's folder)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    s = ledger.settings.get()
    villages = [v for v in s.villages if v.groups][:3]
    if not villages:
        return []
    area = ledger.db.execute("SELECT substr(id_number, 1, 6) FROM members WHERE id_number IS NOT NULL LIMIT 1"
                             ).fetchone()[0]
    taken = {r[0] for r in ledger.db.execute("SELECT id_number FROM members WHERE id_number IS NOT NULL")}
    return [_roster(out, s, villages, area, taken, rng, replace), _categories(out, ledger, s, rng, replace),
            _payments(out, ledger, s, area, taken, rng, replace)]


def _roster(out, s, villages, area, taken, rng, replace) -> SampleFile:
    year = s.year - 1
    rows: list[list] = [[f"{s.township}{year}年度城乡居民户籍花名册（新增户）"],
                        [f"填报单位：{s.township}人民政府", None, None, None, None, None, None, None, None,
                         f"填报日期：{year}年9月1日"],
                        ["序号", "村(居)", "组别", "户主姓名", "姓名", "与户主关系", "公民身份号码", "性别", "民族",
                         "人员类别", "联系电话", "备注"]]
    n = 0
    for h in range(12):
        v = villages[h % len(villages)]
        new_group = len(v.groups) + 1
        new_name = ("一二三四五六七八九十"[new_group - 1] if new_group <= 10 else str(new_group)) + "组"
        group = v.groups[h % len(v.groups)].name if h != 11 else new_name  # one group the ledger lacks
        surname = rng.choice(SURNAMES)
        head = _name(rng, surname)
        cat = rng.choice(["", "", "", "低保", "脱贫不稳定户", "特困"])
        people = [(head, "本人" if h % 3 == 0 else "户主", dt.date(rng.randint(1950, 1985), rng.randint(1, 12),
                                                                 rng.randint(1, 28)), True, cat)]
        people.append((_name(rng), "妻", people[0][2] + dt.timedelta(days=rng.randint(200, 900)), False,
                       cat if cat == "低保" else ""))
        for _ in range(rng.randint(0, 2)):
            male = rng.random() < 0.5
            people.append((_name(rng, surname), "长子" if male else "长女",
                           dt.date(rng.randint(2000, 2020), rng.randint(1, 12), rng.randint(1, 28)), male, ""))
        phone = f"139{rng.randint(10000000, 99999999)}"
        for name, rel, birth, male, c in people:
            n += 1
            rows.append([n, v.name, group, head, name, rel, _new_id(rng, area, birth, male, taken),
                         "男" if male else "女", rng.choice(["汉", "汉族", "汉族", "回族", "满族"]), c,
                         phone if rel in ("本人", "户主") else "", ""])
    return _save(out / ROSTER, rows, ["A1:L1"], replace)


def _categories(out, ledger, s, rng, replace) -> SampleFile:
    plain = ledger.db.execute(
        "SELECT m.name, m.id_number FROM members m WHERE m.id_number IS NOT NULL AND m.status = '本地参保'"
        " AND NOT EXISTS (SELECT 1 FROM member_categories c WHERE c.member_id = m.id) ORDER BY m.id LIMIT 400"
    ).fetchall()
    picked = rng.sample(plain, min(20, len(plain)))
    year = s.year - 1
    rows: list[list] = [[f"县民政局{year}年城乡低保、特困人员名单"], [f"截至{year}年8月31日"],
                        ["序号", "姓名", "证件号码", "救助类别", "认定日期", "认定部门", "保障金额"]]
    for i, (name, number) in enumerate(picked, 1):
        cat = "城乡低保" if i % 4 else "特困供养"
        rows.append([i, name, number, cat, f"{year}-{rng.randint(1, 8):02d}-{rng.randint(1, 28):02d}", "县民政局",
                     rng.choice([420, 450, 480])])
    return _save(out / CATEGORY, rows, ["A1:G1", "A2:G2"], replace)


def _payments(out, ledger, s, area, taken, rng, replace) -> SampleFile:
    day = ledger.db.execute("SELECT max(paid_on) FROM payments").fetchone()[0]
    day = dt.date.fromisoformat(day) if day else dt.date(s.year - 1, 10, 8)
    unpaid = ledger.db.execute(
        "SELECT m.id, m.name, m.id_number FROM members m WHERE m.id_number IS NOT NULL AND m.status = '本地参保'"
        " AND NOT EXISTS (SELECT 1 FROM standing_items s WHERE s.member_id = m.id AND s.year = ?)"
        " ORDER BY m.id LIMIT 300", [s.year]).fetchall()
    rows: list[list] = [["城乡居民基本医疗保险缴费明细"],
                        [f"税务机关：{s.township}税务分局", None, None, None, None, None, f"打印日期：{day}"],
                        ["序号", "缴费人证件号码", "缴费人名称", "险种", "征收品目", "实缴金额(元)", "入库日期"]]
    n = 0
    for mid, name, number in rng.sample(unpaid, min(60, len(unpaid))):
        try:
            q = ledger.payments.quote(mid, day)
        except ProblemsError:
            continue
        if not q.open or q.due is None or q.due <= 0:
            continue
        n += 1
        when = dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=7 * n)
        rows.append([n, number, name, "城乡居民基本医疗保险", "城乡居民医疗保险费", float(q.due), when])
        if n >= 25:
            break
    stranger = _new_id(rng, area, dt.date(1988, 8, 8), True, taken)  # not in the ledger: shows a 查无此人 problem
    rows.append([n + 1, stranger, _name(rng), "城乡居民基本医疗保险", "城乡居民医疗保险费", 380.0,
                 dt.datetime.combine(day, dt.time(16, 30))])
    return _save(out / PAYMENT, rows, ["A1:G1"], replace)
