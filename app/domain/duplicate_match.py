"""重复参保: which pairs of people in one township's ledger are probably the same person, how sure we are, and
why — in Chinese. Pure: people in, matches out (the ledger reads them, ``app.ledger.duplicates``).

Four rules, each over blocks so that 500,000 people take seconds, not hours:

- **同一证件号码** (``SAME_ID``): the same ID number twice (grouped by number);
- **证件号码只差一位** (``ID_TYPO``): the same name reading and ID numbers whose first 17 digits differ by one
  digit or two neighbouring digits swapped (the check digit of a mistyped number is recomputed by whoever
  stored it, so it says nothing). Blocked by name reading and each of three parts of the number — one slip
  leaves at least one part whole (five cuts of the number: area, birth date, sequence, and the two seams);
- **姓名、出生日期、性别相同** (``SAME_PERSON``): the same name (after folding spaces and dots), birth date and
  sex (or one sex not recorded), with different ID numbers or one without any;
- **姓名相近** (``SIMILAR_NAME``): the same birth date and sex, names of one length that are one name written
  two ways (刘/劉, 张/張: the same reading, one character in GB 2312 and the other not — ``_everyday``), or read
  the same (小/晓, 章/张: homophones), or differ in one character whose readings
  an input method's fuzzy pinyin takes for one (明 ming / 敏 min: ``loose_reading``), or one character left
  out (王明/王小明, surname kept) when an ID number is missing or one slip away.

The last two compare people within each birth date (never two recorded with different sexes), the readings'
edit distance from rapidfuzz first.

Ordinary families are not matches: twins share a birth date but not a name (张大伟/张小伟 read far apart), and
two characters that merely look alike in a household of the same birth date are twins, not one person twice, so
a ``SIMILAR_NAME`` within one household is not reported. People with the same name and different birth dates
are never compared by name. A pair two ID numbers apart in more than one digit is only reported by name when
the names are the same or read the same, and then with lower certainty; numbers that differ only in the
sequence digits (twins get neighbouring ones) count little when the names differ.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein


# an ID number two members hold (the same person enrolled at two stations) and no 专干 has decided which stands:
# whatever wants one person by that number (an import row, a payment) is refused with these words
TWO_HOLDERS = "该身份证号在台账中有两人（重复参保，请先在重复参保清单中处理）"


class Kind(StrEnum):
    SAME_ID = "同一证件号码"
    ID_TYPO = "证件号码只差一位"
    SAME_PERSON = "姓名、出生日期、性别相同"
    SIMILAR_NAME = "姓名相近"


@dataclass(frozen=True, slots=True)
class Person:
    """One member as the matcher sees them. ``key`` is the member's id; ``household`` the household's."""

    key: int
    name: str
    id_number: str | None
    sex: str
    birth_date: str  # ISO YYYY-MM-DD
    household: int


@dataclass(frozen=True, slots=True)
class Match:
    """Two people (``a < b``, member ids) that are probably one; ``certainty`` 0–100; ``reasons`` in Chinese."""

    a: int
    b: int
    kind: Kind
    certainty: int
    reasons: tuple[str, ...] = field(default=())

    @property
    def why(self) -> str:
        return "；".join(self.reasons)


# ---------------------------------------------------------------------------- names
_DROP = {" ", "\u3000", "·", "•", "‧", "．", ".", "・", "-", "－"}


def fold_name(name: str) -> str:
    """A name as typed -> the form names are compared in: NFKC (full-width letters), no spaces or dots."""
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(ch for ch in text if ch not in _DROP and not ch.isspace())


class Readings:
    """Each character's toneless pinyin (pypinyin, the reading it has alone), cached: 500,000 names share a
    few thousand characters. Characters pypinyin does not know read as themselves."""

    def __init__(self, reader: Callable[[str], str] | None = None):
        self._chars: dict[str, str] = {}
        self._names: dict[str, tuple[str, ...]] = {}
        if reader is None:
            from pypinyin import Style, lazy_pinyin

            def reader(ch: str) -> str:
                out = lazy_pinyin(ch, style=Style.NORMAL, errors="default")
                return out[0].lower() if out else ch
        self._reader = reader

    def char(self, ch: str) -> str:
        r = self._chars.get(ch)
        if r is None:
            r = self._chars[ch] = self._reader(ch)
        return r

    def of(self, folded: str) -> tuple[str, ...]:
        r = self._names.get(folded)
        if r is None:
            r = self._names[folded] = tuple(self.char(ch) for ch in folded)
        return r


# ---------------------------------------------------------------------------- ID numbers
def id_slip(a: str | None, b: str | None) -> str:
    """How two different 18-character numbers differ by one slip in their first 17 digits, in words; '' if
    they do not (or are not both 18 characters)."""
    if not a or not b or a == b or len(a) != 18 or len(b) != 18:
        return ""
    x, y = a[:17], b[:17]
    if x == y:
        return ""  # only the check digit differs: not a slip a valid number can carry
    if OSA.distance(x, y, score_cutoff=1) > 1:
        return ""
    diff = [i for i in range(17) if x[i] != y[i]]
    if len(diff) == 1:
        i = diff[0]
        return f"证件号码第{i + 1}位不同（{x[i]}／{y[i]}），其余相同"
    i = diff[0]
    return f"证件号码第{i + 1}、{i + 2}位颠倒（{x[i]}{x[i + 1]}／{y[i]}{y[i + 1]}）"


def in_sequence_only(a: str, b: str) -> bool:
    """Do two numbers differ only in the sequence digits (15–17)? Two people born on one day in one county
    often do (twins get neighbouring numbers), so such a slip says little when the names differ."""
    return all(a[i] == b[i] for i in range(14))


# ---------------------------------------------------------------------------- the scan
@dataclass(slots=True)
class _Found:
    kind: Kind
    certainty: int
    reasons: list[str]


_LOOSE_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("f", "h"))


def loose_reading(syllable: str) -> str:
    """A reading with the sounds a pinyin typist (or a dialect) mixes up made one: zh/z, ch/c, sh/s, n/l, f/h,
    and -ang/-an, -eng/-en, -ing/-in (the fuzzy-pinyin set of input methods). 敏 min and 明 ming become one;
    亮 liang and 强 qiang stay apart."""
    s = syllable
    for long, short in _LOOSE_INITIALS:
        if s.startswith(long):
            s = short + s[len(long):]
            break
    if len(s) > 2 and s.endswith("ng") and s[-3] in "aei":
        s = s[:-1]
    return s


def _everyday(ch: str) -> bool:
    """Is the character in GB 2312, the simplified everyday set? Its traditional and variant forms (張 劉 偉 喆
    堃) are not; so two characters that read the same, one in it and one not, are one character written two
    ways — while two that are both in it (静/晶, 小/晓) are different characters that sound alike."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


VARIANT, HOMOPHONE, NEAR = 3, 2, 1  # how close two names of one length are (``_name_words``)


def _name_words(a: str, b: str, ra: Sequence[str], rb: Sequence[str]) -> tuple[str, int]:
    """How two folded names of one length relate: (words, closeness) with closeness ``VARIANT`` = the same
    name written with traditional or variant characters, ``HOMOPHONE`` = the same reading, ``NEAR`` = one
    character's reading mixed up by fuzzy pinyin, 0 = none of these."""
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    pairs = "、".join(f"{a[i]}／{b[i]}" for i in diff)
    if all(ra[i] == rb[i] for i in diff):
        if all(_everyday(a[i]) != _everyday(b[i]) for i in diff):
            return f"姓名相同，只是繁简或异体写法不同（{pairs}）", VARIANT
        return f"姓名读音相同，写法不同（{pairs}：同音字或异体字）", HOMOPHONE
    if len(diff) == 1 and len(a) >= 2 and loose_reading(ra[diff[0]]) == loose_reading(rb[diff[0]]):
        i = diff[0]
        return f"姓名只差一个字且读音相近（{pairs}：{ra[i]}／{rb[i]}）", NEAR
    return "", 0


def scan(people: Sequence[Person], *, cancel: Callable[[], bool] | None = None,
         progress: Callable[[int, int], None] | None = None) -> list[Match]:
    """Every probable duplicate pair among ``people``, most certain first."""
    found: dict[tuple[int, int], _Found] = {}
    readings = Readings()
    folded = [fold_name(p.name) for p in people]
    read = [" ".join(readings.of(f)) for f in folded]
    steps = 4

    def step(n: int) -> None:
        if cancel is not None and cancel():
            from .problems import Cancelled

            raise Cancelled("已取消重复参保排查")
        if progress is not None:
            progress(n, steps)

    def note(i: int, j: int, kind: Kind, certainty: int, reasons: list[str]) -> None:
        p, q = people[i], people[j]
        if p.key == q.key:
            return
        key = (p.key, q.key) if p.key < q.key else (q.key, p.key)
        old = found.get(key)
        if old is None or certainty > old.certainty:
            found[key] = _Found(kind, certainty, reasons)

    step(0)
    # 同一证件号码
    first: dict[str, int] = {}
    by_number: dict[str, list[int]] = {}  # only the numbers held twice or more
    for i, p in enumerate(people):
        if p.id_number:
            j = first.setdefault(p.id_number, i)
            if j != i:
                by_number.setdefault(p.id_number, [j]).append(i)
    del first
    for idx in by_number.values():
        for x, i in enumerate(idx):
            for j in idx[x + 1:]:
                same = folded[i] == folded[j]
                reasons = ["证件号码相同"]
                if same:
                    reasons.append("姓名相同")
                else:
                    reasons.append(f"但姓名不同（{people[i].name}／{people[j].name}），可能是登记错误")
                note(i, j, Kind.SAME_ID, 100 if same else 95, reasons)
    step(1)
    # 证件号码只差一位 (same name reading): one pass per part of the number, so one index is held at a time
    pairs: set[tuple[int, int]] = set()
    cuts = (lambda n: n[6:17], lambda n: n[:6] + n[14:17], lambda n: n[:14], lambda n: n[:5] + n[7:17],
            lambda n: n[:13] + n[15:17])
    numbered = [i for i, p in enumerate(people) if p.id_number and len(p.id_number) == 18]
    for cut in cuts:
        bucket: dict[str, int | list[int]] = {}
        for i in numbered:
            key = read[i] + "|" + cut(people[i].id_number)
            hit = bucket.get(key)
            if hit is None:
                bucket[key] = i
                continue
            if isinstance(hit, int):
                hit = bucket[key] = [hit]
            for j in hit:
                pairs.add((j, i))
            hit.append(i)
        del bucket
    for j, i in pairs:
        slip = id_slip(people[j].id_number, people[i].id_number)
        if not slip:
            continue
        p, q = people[j], people[i]
        fp, fq = folded[j], folded[i]
        if fp == fq:
            words, closeness = "姓名相同", VARIANT
        elif len(fp) == len(fq):
            words, closeness = _name_words(fp, fq, readings.of(fp), readings.of(fq))
        else:
            words, closeness = f"姓名读音相同（{p.name}／{q.name}）", HOMOPHONE
        born = p.birth_date == q.birth_date
        reasons = [slip, words, "出生日期相同" if born else
                   f"出生日期不同（{p.birth_date}／{q.birth_date}），可能是号码录错"]
        if closeness == VARIANT:  # one name (perhaps written two ways)
            certainty = 92 if born else 88
        elif in_sequence_only(p.id_number, q.id_number):
            reasons[0] += "（只差在顺序码，也可能是双胞胎）"
            certainty = 70
        else:
            certainty = 85 if born else 82
        note(j, i, Kind.ID_TYPO, certainty, reasons)
    step(2)
    # blocks of one birth date (sexes compared inside: one may not be recorded): 姓名、出生日期、性别相同, 姓名相近
    blocks: dict[str, list[int]] = {}
    for i, p in enumerate(people):
        blocks.setdefault(p.birth_date, []).append(i)
    lev, extract = Levenshtein.distance, process.extract
    for n, idx in enumerate(blocks.values()):
        if n % 2000 == 0 and cancel is not None and cancel():
            step(3)  # raises Cancelled
        if len(idx) < 2:
            continue
        reads = [read[i] for i in idx]
        names = [folded[i] for i in idx]
        for x in range(len(idx) - 1):
            i = idx[x]
            fi, si = folded[i], people[i].sex
            if not fi:
                continue
            # every later one of the block whose reading is at most 2 edits away (one C call per person)
            for _, _, k in extract(reads[x], reads[x + 1:], scorer=lev, score_cutoff=2, limit=None):
                j = idx[x + 1 + k]
                sj = people[j].sex
                if si and sj and si != sj:
                    continue
                _compare(people, i, j, fi, folded[j], readings, note)
            # names one character longer or shorter (王明／王小明): the readings are a syllable apart
            for _, _, k in extract(fi, names[x + 1:], scorer=lev, score_cutoff=1, limit=None):
                j = idx[x + 1 + k]
                sj = people[j].sex
                if len(folded[j]) != len(fi) and not (si and sj and si != sj):
                    _missing_char(people, i, j, fi, folded[j], note)
    step(3)
    out = [Match(a, b, f.kind, f.certainty, tuple(f.reasons)) for (a, b), f in found.items()]
    out.sort(key=lambda m: (-m.certainty, m.a, m.b))
    step(steps)
    return out


def _compare(people: Sequence[Person], i: int, j: int, fi: str, fj: str, readings: Readings, note) -> None:
    """Two people of one birth date, not of different sexes, whose readings are close."""
    p, q = people[i], people[j]
    same = "出生日期、性别相同" if p.sex and q.sex else "出生日期相同，一方未登记性别"
    a, b = p.id_number, q.id_number
    if a and b and a == b:
        return  # 同一证件号码 already
    slip = id_slip(a, b)
    if fi == fj:
        reasons = ["姓名、" + same]
        if slip:
            return  # 证件号码只差一位 already, more certain
        if not a or not b:
            reasons.append("一方没有登记证件号码")
            certainty = 90
        else:
            reasons.append("但证件号码不同，请核实是否同名同生日的两个人")
            certainty = 75
        if p.household == q.household:
            reasons.append("在同一户中")
        note(i, j, Kind.SAME_PERSON, certainty, reasons)
        return
    if len(fi) != len(fj) or p.household == q.household:
        return  # names of different lengths; or a household's twins
    words, closeness = _name_words(fi, fj, readings.of(fi), readings.of(fj))
    if not closeness:
        return
    reasons = [words, same]
    if slip and closeness == VARIANT:
        return  # 证件号码只差一位 already (one name, written two ways)
    if slip and in_sequence_only(a, b):
        if closeness != HOMOPHONE:
            return  # neighbouring numbers and names a letter apart: two people (twins)
        reasons.append(slip + "（只差在顺序码，也可能是双胞胎）")
        certainty = 70
    elif slip:
        reasons.append(slip)
        certainty = 90 if closeness == HOMOPHONE else 80
    elif not a or not b:
        reasons.append("一方没有登记证件号码")
        certainty = {VARIANT: 90, HOMOPHONE: 85, NEAR: 70}[closeness]
    elif closeness == VARIANT:
        reasons.append("但证件号码不同，请核实是否同名同生日的两个人")
        certainty = 75
    elif closeness == HOMOPHONE:
        reasons.append("但证件号码不同，请核实")
        certainty = 60
    else:
        return  # two ID numbers far apart and names a letter apart: two people
    note(i, j, Kind.SIMILAR_NAME, certainty, reasons)


def _missing_char(people: Sequence[Person], i: int, j: int, fi: str, fj: str, note) -> None:
    """Two people of one birth date whose names differ by one character left out (王明／王小明), surname kept."""
    p, q = people[i], people[j]
    short, long_ = (fi, fj) if len(fi) < len(fj) else (fj, fi)
    if len(short) < 2 or short[0] != long_[0] or p.household == q.household:
        return
    a, b = p.id_number, q.id_number
    if a and b and a == b:
        return
    same = "出生日期、性别相同" if p.sex and q.sex else "出生日期相同，一方未登记性别"
    reasons = [f"姓名多一个字或少一个字（{p.name}／{q.name}）", same]
    slip = id_slip(a, b)
    if slip and not in_sequence_only(a, b):
        reasons.append(slip)
        certainty = 80
    elif slip:
        return  # neighbouring sequence numbers: two people of one birthday
    elif not a or not b:
        reasons.append("一方没有登记证件号码")
        certainty = 65
    else:
        return  # two ID numbers far apart: two people
    note(i, j, Kind.SIMILAR_NAME, certainty, reasons)


def pairs_of(matches: Iterable[Match]) -> set[tuple[int, int]]:
    return {(m.a, m.b) for m in matches}
