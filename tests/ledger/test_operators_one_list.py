"""One list of operators (issue 14): the ``operators`` table. The old free-text ``settings.operators`` is
removed by migration 0100; ``Settings.operators`` reads the table, so a new operator shows at once and a name
without a PIN is never listed as an operator."""

import json

from app.ledger import open_ledger
from operators_helper import log_in


def test_migration_drops_the_free_text_list_and_settings_read_the_table(tmp_path):
    p = tmp_path / "old.db"
    with open_ledger(p, create=True, backup=False) as lg:
        log_in(lg, "王会计")
        lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": []})
        # as a ledger made before migration 0100 had it: names typed into the settings, one never registered
        with lg.transaction() as db:
            db.execute("INSERT INTO settings (key, value) VALUES ('operators', ?)",
                       [json.dumps(["王会计", "张冒充"], ensure_ascii=False)])
            db.execute("DELETE FROM _sqlite_migrations WHERE name = '0100_operators_one_list'")
    with open_ledger(p, backup=False) as lg:
        assert lg.db.execute("SELECT count(*) FROM settings WHERE key = 'operators'").fetchone()[0] == 0
        assert lg.settings.get().operators == ("王会计",)
        log_in(lg, "王会计")
        lg.operators.add("李干事", "网格员", "1357")
        assert lg.settings.get().operators == ("王会计", "李干事")  # no stale cache: the table is read
        lg.operators.disable("李干事")
        assert lg.settings.get().operators == ("王会计",)


def test_new_ledgers_store_no_free_text_operators(tmp_path):
    with open_ledger(tmp_path / "new.db", create=True, backup=False) as lg:
        log_in(lg, "王会计")
        lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计", "路人甲"],
                               villages={"东风村": []})
        assert lg.db.execute("SELECT count(*) FROM settings WHERE key = 'operators'").fetchone()[0] == 0
        assert lg.settings.get().operators == ("王会计",)
