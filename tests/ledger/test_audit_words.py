"""Every entity and action the program writes to the audit log reads in Chinese in the log's window and
``canbao ledger audit`` (the join, invite, signing-key and duplicate decisions once showed as join, invite,
key_change, keep). Found by reading every ``….log("entity", id, "action", …)`` call in app/."""

from __future__ import annotations

import ast
from pathlib import Path

from app.ledger.audit import ACTIONS, ENTITIES

APP = Path(__file__).resolve().parents[2] / "app"


def _logged() -> tuple[set[str], set[str]]:
    entities, actions = set(), set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "log"
                    and len(node.args) >= 4 and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                continue
            entities.add(node.args[0].value)
            actions |= {n.value for n in ast.walk(node.args[2]) if isinstance(n, ast.Constant)
                        and isinstance(n.value, str)}
    return entities, actions


def test_every_logged_entity_and_action_has_its_chinese_word():
    entities, actions = _logged()
    assert {"household", "payment", "station", "duplicate"} <= entities and {"pay", "join", "keep"} <= actions
    assert entities - set(ENTITIES) == set()
    assert actions - set(ACTIONS) == set()
