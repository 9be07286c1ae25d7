"""The ledger's tables, created only through sqlite-utils ``Migrations`` (set name ``canbao-ledger``).

Conventions every writer (the API, ``canbao demo``'s bulk loader, imports) must keep:

- money is integer fen (``*_fen`` columns), dates are ISO ``YYYY-MM-DD`` text, timestamps ISO UTC text;
- ``members.id_number`` is compact upper-case (``X``), NULL when ``id_type = '无'``; ``id_rev`` is its
  reverse (search by last digits), ``phone_rev`` likewise; ``name_initials`` is the pypinyin first-letter
  string in lower case (张三 -> ``zs``) — see ``app.ledger.members.search_keys``;
- ``members.status`` is ``'本地参保'`` or one of ``vocabulary.NON_ENROLMENT_REASONS``;
- the household head is the member whose ``relation = '户主'`` (at most one per household, enforced);
- payments are never deleted (a trigger refuses it); a void sets ``voided_at``, ``voided_by`` and
  ``void_reason`` once; nothing else of a recorded payment, item or refund can change (0032);
- ``receipt_counters(year, last_seq)`` is bumped in the same transaction as the payment, and only ever goes up;
  numbers issued but not in this ledger (restored from an older backup) are in ``receipts_dropped`` (0030);
- every audit entry carries ``hash``, chained onto the previous entry's (``audit.chain_hash``, 0031): write
  audit entries only through ``Ledger.log``.
"""

from __future__ import annotations

from . import sqlite_driver

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("canbao-ledger")

SCHEMA_V1 = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL              -- JSON
);
CREATE TABLE villages (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL DEFAULT '村'  -- 村 / 社区
);
CREATE TABLE village_groups (
    id INTEGER PRIMARY KEY,
    village_id INTEGER NOT NULL REFERENCES villages(id),
    name TEXT NOT NULL,
    UNIQUE (village_id, name)
);
CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,     -- 户编号
    village_id INTEGER NOT NULL REFERENCES villages(id),
    group_id INTEGER REFERENCES village_groups(id),
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX households_village ON households(village_id, group_id);
CREATE INDEX households_phone ON households(phone);
CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    name TEXT NOT NULL,
    name_initials TEXT NOT NULL DEFAULT '',
    id_type TEXT NOT NULL,           -- 居民身份证 / 港澳台居民居住证 / 外国人永久居留身份证 / 无
    id_number TEXT,                  -- NULL when id_type = 无
    id_rev TEXT,                     -- reversed id_number, for last-digit search
    sex TEXT NOT NULL DEFAULT '',    -- 男 / 女
    birth_date TEXT NOT NULL,
    ethnicity TEXT NOT NULL DEFAULT '',
    relation TEXT NOT NULL DEFAULT '',   -- 与户主关系: 户主 / 配偶 / 子 / 女 ...
    phone TEXT NOT NULL DEFAULT '',
    phone_rev TEXT NOT NULL DEFAULT '',
    student INTEGER NOT NULL DEFAULT 0,
    school TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '本地参保',
    status_detail TEXT NOT NULL DEFAULT '',  -- 异地参保的参保地, 其他的说明
    status_date TEXT,                        -- 原因发生日期; 死亡 = 死亡日期
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (student IN (0, 1)),
    CHECK ((id_type = '无') = (id_number IS NULL))
);
CREATE UNIQUE INDEX members_id_number ON members(id_number) WHERE id_number IS NOT NULL;
CREATE INDEX members_id_rev ON members(id_rev) WHERE id_rev IS NOT NULL;
CREATE INDEX members_household ON members(household_id);
CREATE INDEX members_name ON members(name);
CREATE INDEX members_initials ON members(name_initials);
CREATE INDEX members_phone ON members(phone);
CREATE INDEX members_phone_rev ON members(phone_rev);
CREATE UNIQUE INDEX members_one_head ON members(household_id) WHERE relation = '户主';
CREATE TABLE member_categories (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    category TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    recognized_on TEXT,
    ended_on TEXT,                   -- NULL = still recognised
    end_reason TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX member_categories_member ON member_categories(member_id);
CREATE TABLE member_years (
    member_id INTEGER NOT NULL REFERENCES members(id),
    year INTEGER NOT NULL,
    addons TEXT NOT NULL DEFAULT '[]',           -- JSON list of chosen add-ons
    declined_addons TEXT NOT NULL DEFAULT '[]',  -- JSON list of declined default add-ons
    PRIMARY KEY (member_id, year)
);
CREATE TABLE receipt_counters (
    year INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL
);
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE,     -- e.g. 2025-000123
    household_id INTEGER NOT NULL REFERENCES households(id),
    amount_fen INTEGER NOT NULL,         -- sum of its items
    method TEXT NOT NULL,                -- 现金 微信 支付宝 银行卡 税务APP 代缴
    paid_on TEXT NOT NULL,
    operator TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    voided_at TEXT,
    voided_by TEXT,
    void_reason TEXT,
    UNIQUE (year, seq)
);
CREATE INDEX payments_household ON payments(household_id);
CREATE INDEX payments_paid_on ON payments(paid_on);
CREATE TABLE payment_items (
    id INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    year INTEGER NOT NULL,
    policy_id TEXT NOT NULL,
    due_fen INTEGER,                     -- what the quote said (NULL if the quote was closed)
    amount_fen INTEGER NOT NULL,         -- what was collected for this member
    addons TEXT NOT NULL DEFAULT '[]',
    quote TEXT NOT NULL,                 -- Quote.to_dict() as JSON: the lines used
    override_reason TEXT,                -- why it differs from the quote / rule
    UNIQUE (payment_id, member_id)
);
CREATE INDEX payment_items_member ON payment_items(member_id, year);
CREATE TABLE refunds (
    id INTEGER PRIMARY KEY,
    payment_item_id INTEGER NOT NULL UNIQUE REFERENCES payment_items(id),
    amount_fen INTEGER NOT NULL,
    reason TEXT NOT NULL,
    refunded_on TEXT NOT NULL,
    operator TEXT NOT NULL,
    clause TEXT NOT NULL,                -- the policy clause that allowed it
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    operator TEXT NOT NULL,
    entity TEXT NOT NULL,                -- household member category payment refund settings ...
    entity_id INTEGER,
    household_id INTEGER,
    member_id INTEGER,
    action TEXT NOT NULL,                -- create update move status end void refund ...
    before TEXT,                         -- JSON
    after TEXT                           -- JSON
);
CREATE INDEX audit_member ON audit(member_id);
CREATE INDEX audit_household ON audit(household_id);
CREATE TRIGGER payments_never_deleted BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, '缴费记录不能删除（只能作废）'); END;
CREATE TRIGGER payment_items_never_deleted BEFORE DELETE ON payment_items
BEGIN SELECT RAISE(ABORT, '缴费明细不能删除'); END;
CREATE TRIGGER refunds_never_deleted BEFORE DELETE ON refunds
BEGIN SELECT RAISE(ABORT, '退费记录不能删除'); END;
CREATE TRIGGER payments_receipt_fixed BEFORE UPDATE OF receipt_no, seq, year, amount_fen ON payments
BEGIN SELECT RAISE(ABORT, '票据号和金额不能修改'); END;
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, '操作日志不能修改'); END;
CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, '操作日志不能删除'); END;
"""


@MIGRATIONS(name="0001_initial")
def _m0001_initial(db: Database) -> None:
    for statement in _statements(SCHEMA_V1):
        db.execute(statement)


@MIGRATIONS(name="0002_birth_date_index")
def _m0002_birth_date_index(db: Database) -> None:
    # search by birth date (the middle of an ID number: 19600501, 196005) and age-based lists
    db.execute("CREATE INDEX IF NOT EXISTS members_birth_date ON members(birth_date)")


@MIGRATIONS(name="0003_surname_initials")
def _m0003_surname_initials(db: Database) -> None:
    # pinyin initials now use the surname reading (单 -> s, 曾 -> z); recompute them for those surnames
    from .identity import SURNAME_INITIALS, name_initials

    for surname in SURNAME_INITIALS:
        upper = surname[:-1] + chr(ord(surname[-1]) + 1)
        rows = db.execute("SELECT id, name FROM members WHERE name >= ? AND name < ?", [surname, upper]).fetchall()
        db.conn.executemany("UPDATE members SET name_initials = ? WHERE id = ?",
                            [(name_initials(name), mid) for mid, name in rows])


@MIGRATIONS(name="0004_quote_snapshots")
def _m0004_quote_snapshots(db: Database) -> None:
    """Store each distinct quote once (see app.ledger.snapshots): items point at it by ``quote_id``."""
    from .snapshots import digest

    db.execute("CREATE TABLE quote_snapshots (id INTEGER PRIMARY KEY, sha TEXT NOT NULL UNIQUE, json TEXT NOT NULL)")
    db.execute("ALTER TABLE payment_items ADD COLUMN quote_id INTEGER REFERENCES quote_snapshots(id)")
    ids: dict[str, int] = {}
    updates = []
    for item_id, text in db.execute("SELECT id, quote FROM payment_items").fetchall():
        if text not in ids:
            ids[text] = db.execute("INSERT INTO quote_snapshots (sha, json) VALUES (?, ?)",
                                   [digest(text), text]).lastrowid
        updates.append((ids[text], item_id))
    db.conn.executemany("UPDATE payment_items SET quote_id = ? WHERE id = ?", updates)
    db.execute("ALTER TABLE payment_items DROP COLUMN quote")
    for statement in _statements("""
CREATE TRIGGER payment_items_need_quote BEFORE INSERT ON payment_items WHEN NEW.quote_id IS NULL
BEGIN SELECT RAISE(ABORT, '缴费明细必须记录所用的测算（quote_id）'); END;
CREATE TRIGGER quote_snapshots_fixed BEFORE UPDATE ON quote_snapshots
BEGIN SELECT RAISE(ABORT, '测算快照不能修改'); END;
CREATE TRIGGER quote_snapshots_never_deleted BEFORE DELETE ON quote_snapshots
BEGIN SELECT RAISE(ABORT, '测算快照不能删除'); END;
"""):
        db.execute(statement)


@MIGRATIONS(name="0010_standing_items")
def _m0010_standing_items(db: Database) -> None:
    """The one definition of "a payment item still stands" (not voided, not refunded): see app.ledger.member_year."""
    from .member_year import STANDING_VIEW_SQL

    db.execute(STANDING_VIEW_SQL)


@MIGRATIONS(name="0020_claims")
def _m0020_claims(db: Database) -> None:
    """Claims: money owed back to members recognised after paying in full (app.ledger.claims)."""
    from .claims import MIGRATION_0020

    for statement in _statements(MIGRATION_0020):
        db.execute(statement)


@MIGRATIONS(name="0060_operators")
def _m0060_operators(db: Database) -> None:
    """Operators who may log in (app.ledger.operators): PINs only as salted scrypt hashes."""
    db.execute("""CREATE TABLE IF NOT EXISTS operators (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,              -- 网格员 / 专干 / 管理员
    secret TEXT NOT NULL,            -- scrypt$n$r$p$salt$hash, never the PIN itself
    created_at TEXT NOT NULL,
    disabled_at TEXT,                -- an operator who left: kept, cannot log in
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT                -- back-off after repeated wrong PINs
)""")


@MIGRATIONS(name="0070_household_number_index")
def _m0070_household_number_index(db: Database) -> None:
    # the next automatic 户编号 (Households._next_number) is max(CAST(number AS INTEGER)): with this index it
    # is one index step instead of a walk over every household (50 ms per new household at 160,000)
    db.execute("CREATE INDEX IF NOT EXISTS households_number_int ON households(CAST(number AS INTEGER))"
               " WHERE number GLOB '[0-9]*'")

# ---------------------------------------------------------------- backup engineer's block (0030–0039)
RECEIPTS_SCHEMA = """
CREATE TABLE ledger_secret (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL              -- journal_key: the HMAC key of the receipt journal (app.ledger.journal)
);
INSERT INTO ledger_secret (name, value) VALUES ('journal_key', randomblob(32));
CREATE TABLE receipts_dropped (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    receipt_no TEXT NOT NULL,
    amount_fen INTEGER,              -- NULL when not known (the number was used, its details are lost)
    paid_on TEXT,
    household TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,            -- why the number is not in this ledger (restore, file replaced ...)
    recorded_at TEXT NOT NULL,
    UNIQUE (year, seq)
);
CREATE TRIGGER receipts_dropped_fixed BEFORE UPDATE ON receipts_dropped
BEGIN SELECT RAISE(ABORT, '作废票据号清单不能修改'); END;
CREATE TRIGGER receipts_dropped_never_deleted BEFORE DELETE ON receipts_dropped
BEGIN SELECT RAISE(ABORT, '作废票据号清单不能删除'); END;
CREATE TRIGGER receipt_counters_only_up BEFORE UPDATE ON receipt_counters
WHEN NEW.last_seq < OLD.last_seq OR NEW.year IS NOT OLD.year
BEGIN SELECT RAISE(ABORT, '票据计数器只能增加（票据号不能重用）'); END;
CREATE TRIGGER receipt_counters_never_deleted BEFORE DELETE ON receipt_counters
BEGIN SELECT RAISE(ABORT, '票据计数器不能删除（票据号不能重用）'); END;
"""

RECORDS_FIXED = """
CREATE TRIGGER payments_fixed BEFORE UPDATE ON payments
WHEN NEW.id IS NOT OLD.id OR NEW.year IS NOT OLD.year OR NEW.seq IS NOT OLD.seq
  OR NEW.receipt_no IS NOT OLD.receipt_no OR NEW.household_id IS NOT OLD.household_id
  OR NEW.amount_fen IS NOT OLD.amount_fen OR NEW.method IS NOT OLD.method OR NEW.paid_on IS NOT OLD.paid_on
  OR NEW.operator IS NOT OLD.operator OR NEW.notes IS NOT OLD.notes OR NEW.created_at IS NOT OLD.created_at
BEGIN SELECT RAISE(ABORT, '缴费记录不能修改（只能作废或退费）'); END;
CREATE TRIGGER payments_void_once BEFORE UPDATE OF voided_at, voided_by, void_reason ON payments
WHEN OLD.voided_at IS NOT NULL OR NOT (NEW.voided_at IS NOT NULL) OR NEW.voided_by IS NULL
  OR coalesce(trim(NEW.void_reason), '') = ''
BEGIN SELECT RAISE(ABORT, '作废不能撤销或修改；作废须写明原因和作废人'); END;
CREATE TRIGGER payment_items_fixed BEFORE UPDATE ON payment_items
WHEN NEW.id IS NOT OLD.id OR NEW.payment_id IS NOT OLD.payment_id OR NEW.member_id IS NOT OLD.member_id
  OR NEW.year IS NOT OLD.year OR NEW.policy_id IS NOT OLD.policy_id OR NEW.due_fen IS NOT OLD.due_fen
  OR NEW.amount_fen IS NOT OLD.amount_fen OR NEW.addons IS NOT OLD.addons OR NEW.quote_id IS NOT OLD.quote_id
  OR NEW.override_reason IS NOT OLD.override_reason
BEGIN SELECT RAISE(ABORT, '缴费明细不能修改'); END;
CREATE TRIGGER refunds_fixed BEFORE UPDATE ON refunds
WHEN NEW.id IS NOT OLD.id OR NEW.payment_item_id IS NOT OLD.payment_item_id OR NEW.amount_fen IS NOT OLD.amount_fen
  OR NEW.reason IS NOT OLD.reason OR NEW.refunded_on IS NOT OLD.refunded_on OR NEW.operator IS NOT OLD.operator
  OR NEW.clause IS NOT OLD.clause OR NEW.notes IS NOT OLD.notes OR NEW.created_at IS NOT OLD.created_at
BEGIN SELECT RAISE(ABORT, '退费记录不能修改'); END;
"""
# Columns added by later migrations stay writable; a migration that must rewrite one of the columns above
# drops the trigger and creates it again from this text in the same migration.

AUDIT_APPEND_ONLY = """
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, '操作日志不能修改'); END;
"""


@MIGRATIONS(name="0030_receipt_journal")
def _m0030_receipt_journal(db: Database) -> None:
    """The receipt journal's key, the list of receipt numbers this ledger does not hold (dropped by a restore),
    and receipt counters that only go up."""
    for statement in _statements(RECEIPTS_SCHEMA):
        db.execute(statement)


@MIGRATIONS(name="0031_audit_chain")
def _m0031_audit_chain(db: Database) -> None:
    """The audit log becomes a hash chain: each entry's ``hash`` commits to the previous entry's."""
    from .audit import chain_hash

    db.execute("ALTER TABLE audit ADD COLUMN hash TEXT")
    db.execute("DROP TRIGGER IF EXISTS audit_append_only")
    prev = ""
    updates = []
    for row in db.execute("SELECT id, ts, operator, entity, entity_id, household_id, member_id, action, before, after"
                          " FROM audit ORDER BY id").fetchall():
        prev = chain_hash(prev, row)
        updates.append((prev, row[0]))
    db.conn.executemany("UPDATE audit SET hash = ? WHERE id = ?", updates)
    for statement in _statements(AUDIT_APPEND_ONLY):
        db.execute(statement)


@MIGRATIONS(name="0032_payment_records_fixed")
def _m0032_payment_records_fixed(db: Database) -> None:
    """Recorded payments, items and refunds cannot be edited; a void is set once, with a reason."""
    db.execute("DROP TRIGGER IF EXISTS payments_receipt_fixed")
    for statement in _statements(RECORDS_FIXED):
        db.execute(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
        db.execute(statement)


def protecting_triggers() -> dict[str, str]:
    """name -> CREATE TRIGGER text of every trigger that guards money, receipts and the audit log (``check``
    compares them with what the file holds)."""
    wanted = {}
    for script in (SCHEMA_V1, RECEIPTS_SCHEMA, RECORDS_FIXED, AUDIT_APPEND_ONLY):
        for statement in _statements(script):
            if statement.upper().startswith("CREATE TRIGGER"):
                wanted[statement.split()[2]] = statement
    wanted.pop("payments_receipt_fixed", None)  # replaced by payments_fixed (0032)
    return wanted


@MIGRATIONS(name="0040_handovers")
def _m0040_handovers(db: Database) -> None:
    """日结 / 交款单: a range an operator handed over, with each receipt's state then (app.ledger.handover)."""
    for statement in _statements("""
CREATE TABLE IF NOT EXISTS handovers (
    id INTEGER PRIMARY KEY,
    operator TEXT NOT NULL,
    date_from TEXT NOT NULL,
    date_to TEXT NOT NULL,
    receipts INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    digest TEXT NOT NULL,
    state TEXT NOT NULL,                 -- JSON: each receipt's amount, method, voided; each refund
    handed_at TEXT NOT NULL,
    handed_by TEXT NOT NULL,
    receiver TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS handovers_operator ON handovers(operator, date_from, date_to);
CREATE INDEX IF NOT EXISTS payments_operator_day ON payments(operator, paid_on);
CREATE TRIGGER IF NOT EXISTS handovers_never_deleted BEFORE DELETE ON handovers
BEGIN SELECT RAISE(ABORT, '交款记录不能删除'); END;
"""):
        db.execute(statement)


@MIGRATIONS(name="0041_member_search_fts")
def _m0041_member_search_fts(db: Database) -> None:
    """Fragments from the middle of a name (one character too), an ID number or a phone found through an
    index: two FTS5 tables kept in step with ``members`` by triggers (app.ledger.search)."""
    from .search import fts_schema

    for statement in fts_schema():
        db.execute(statement)


@MIGRATIONS(name="0100_operators_one_list")
def _m0100_operators_one_list(db: Database) -> None:
    """One list of operators: the ``operators`` table (app.ledger.operators). The free-text names once kept in
    ``settings.operators`` are dropped: a name without a PIN cannot log in, so it never was an operator; the
    names stay in the audit log's settings entries, and on payments and refunds they were written on. Those
    that are operators already are in the table (``Settings.operators`` is read from it)."""
    db.execute("DELETE FROM settings WHERE key = 'operators'")


@MIGRATIONS(name="0110_place_totals")
def _m0110_place_totals(db: Database) -> None:
    """Progress totals per place, kept in step by triggers and ``Ledger.transaction`` (app.ledger.place_totals):
    the dashboard, the tree and the header read them instead of counting every member."""
    from .place_totals import SCHEMA, build_on_migrate

    for statement in SCHEMA:
        db.execute(statement)
    build_on_migrate(db.conn)


# ---------------------------------------------------------------- stations engineer's block (0080–0084)
@MIGRATIONS(name="0080_stations")
def _m0080_stations(db: Database) -> None:
    """Stations of the township and which one this ledger is (app.ledger.stations)."""
    from .stations import MIGRATION_0080

    for statement in _statements(MIGRATION_0080):
        db.execute(statement)


# ---------------------------------------------------------------- duplicates engineer's block (0090–0094)
@MIGRATIONS(name="0090_duplicate_dismissals")
def _m0090_duplicate_dismissals(db: Database) -> None:
    """Pairs a 专干 judged 非重复 (two people, not one enrolled twice): app.ledger.duplicates."""
    from .duplicates import MIGRATION_0090

    for statement in _statements(MIGRATION_0090):
        db.execute(statement)


# ---------------------------------------------------------------- scale engineer's block (0110–0114)
@MIGRATIONS(name="0111_place_totals_by_delta")
def _m0111_place_totals_by_delta(db: Database) -> None:
    """New members and category records change their place's stored progress directly (no recount)."""
    from .place_totals import delta_schema

    for statement in delta_schema():
        db.execute(statement)


def _statements(script: str) -> list[str]:
    """Split a script into complete statements (triggers contain ``;`` inside BEGIN … END)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite_driver.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement: {buf!r}")
    return out


def migrate(db: Database) -> None:
    """Bring a ledger file to the current schema (each migration in its own transaction). The exchange
    packets' capture triggers name the replicated tables' columns: they stand aside while migrations run (a
    migration may drop or rename a column) and are made again for the new columns after (app.sync.capture)."""
    from ..sync.capture import drop_capture, ensure_capture

    if list(MIGRATIONS.pending(db)):
        drop_capture(db)
        MIGRATIONS.apply(db)
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sync_base'").fetchone():
        ensure_capture(db)


def schema_version(db: Database) -> list[str]:
    return [m.name for m in MIGRATIONS.applied(db)]

# ---------------------------------------------------------------- sync engineer's block (0085–0089)
@MIGRATIONS(name="0085_sync")
def _m0085_sync(db: Database) -> None:
    """Exchange packets (app.sync): what changed since the last packet (sync_base, kept by triggers), the
    outbox, each other station's progress, the conflicts found, and the township's packet key."""
    from ..sync.capture import migrate_0085

    migrate_0085(db)


@MIGRATIONS(name="0086_sync_applied")
def _m0086_sync_applied(db: Database) -> None:
    """Exchange packets: each applied outbox entry's digest (a reused seq with other content is refused) and
    the time on the newest packet from each station (whose acknowledgement counts)."""
    from ..sync.capture import migrate_0086

    migrate_0086(db)


# ---------------------------------------------------------------- sync2 engineer's block (0150–0154)
@MIGRATIONS(name="0150_station_keys")
def _m0150_station_keys(db: Database) -> None:
    """Exchange packets signed by each station (Ed25519): the public keys on record, by station number (the
    private key is this ledger's ``ledger_secret.station_sign_key``, made when the station is set up)."""
    from ..sync.signing import migrate_0150

    migrate_0150(db)


@MIGRATIONS(name="0160_members_without_id_index")
def _m0160_members_without_id_index(db: Database) -> None:
    """People registered without an ID number (newborns, the elderly), by name and birth date: ``check`` looks
    for the same one registered twice among them, and imports key them this way. A few thousand rows in a
    500,000-person ledger, so the look-up no longer scans every member (``check``: −0.5 s)."""
    db.execute("CREATE INDEX IF NOT EXISTS members_without_id ON members(name, birth_date) WHERE id_number IS NULL")


# ---------------------------------------------------------------- sameid engineer's block (0170–0179)
@MIGRATIONS(name="0170_members_id_per_station")
def _m0170_members_id_per_station(db: Database) -> None:
    """One ID number may be held by two members when they come from two stations (重复参保: a person enrolled
    both by the village of 户籍 and the village they live in): the township must hold both to list the pair
    (app.ledger.duplicates) instead of refusing the second as a 记录冲突. Unique per station block of ids
    (app.ledger.ids: station n writes ids n×10¹²), so one station still never holds two people with the same
    number of its own making; local writes refuse a number held anywhere in the ledger (``Members._validate``)."""
    from .duplicates import MIGRATION_0170

    for statement in _statements(MIGRATION_0170):
        db.execute(statement)


@MIGRATIONS(name="0171_duplicate_kept")
def _m0171_duplicate_kept(db: Database) -> None:
    """A 专干's decision on a real 重复参保 pair: which enrolment stands (``kept_member``); NULL = the pair was
    judged 非重复 (two people), as before (app.ledger.duplicates.keep)."""
    from .duplicates import MIGRATION_0171

    for statement in _statements(MIGRATION_0171):
        db.execute(statement)


# ---------------------------------------------------------------- keys engineer's block (0190–0199)
@MIGRATIONS(name="0190_station_key_history")
def _m0190_station_key_history(db: Database) -> None:
    """A station's signing key can be replaced — changed by the station (signed by its old key) or by a 专干 by
    hand (lost or stolen laptop) — with the old key kept: ``station_keys_replaced`` (when, how, why, by whom;
    never changed or deleted), and a replaced key never on record again (app.sync.signing)."""
    from ..sync.signing import migrate_0190

    migrate_0190(db)


# ---------------------------------------------------------------- join engineer's block (0200–0209)
@MIGRATIONS(name="0200_station_join")
def _m0200_station_join(db: Database) -> None:
    """A ledger made before stations that joined its township (app.ledger.join): what the join rewrote, so the
    receipt journal can be begun again after it (also after a process killed in between)."""
    from .join import MIGRATION_0200

    for statement in _statements(MIGRATION_0200):
        db.execute(statement)


# ---------------------------------------------------------------- roll engineer's block (0210–0219)
@MIGRATIONS(name="0210_sync_turns")
def _m0210_sync_turns(db: Database) -> None:
    """Exchange packets across the year's turn (app.sync.turns): each ledger's rollover as it and the other
    side told it (how far the exchange had come), and the rows another station changed in its old ledger after
    its turn, which this ledger's next year sends on."""
    from ..sync.turns import migrate_0210

    migrate_0210(db)


# ---------------------------------------------------------------- moves engineer's block (0180–0189)
@MIGRATIONS(name="0180_away_households")
def _m0180_away_households(db: Database) -> None:
    """外村户: the households a station holds for a member moved between villages but does not keep (local to
    the ledger, never sent): every list, count and total leaves them out (app.sync.moves,
    ``member_year.kept_sql``)."""
    from ..sync.moves import MIGRATION_0180

    for statement in _statements(MIGRATION_0180):
        db.execute(statement)


# ---------------------------------------------------------------- joinmerge engineer's block (0230–0239)
@MIGRATIONS(name="0230_station_join_merged")
def _m0230_station_join_merged(db: Database) -> None:
    """A village joined to a township that already held its people (app.ledger.join_merge): which of the
    village's rows took which township id, kept so a backup made before the join can still be read."""
    from .join_merge import MIGRATION_0230

    for statement in _statements(MIGRATION_0230):
        db.execute(statement)
