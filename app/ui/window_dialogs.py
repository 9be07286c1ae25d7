"""The main window's dialogs (a mixin of ``MainWindow``): each opens its own module's dialog, kept alive while
open, and wires its signals back to the window (refresh after a change, open a household, switch ledger)."""

from __future__ import annotations

import datetime as dt


class WindowDialogs:
    """Needs from the window: ``ledger``, ``prefs``, ``paid_on``, ``_dialogs``, ``_place``, ``view``,
    ``after_change``, ``apply_filter``, ``go_to_household``, ``operator`` and its ledger-level signals."""

    def _keep(self, dialog) -> None:
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda *_: self._dialogs.remove(dialog) if dialog in self._dialogs else None)
        dialog.open()

    def open_household_form(self, household_id=None):
        from .member_form import HouseholdForm

        h = self.ledger.households.get(household_id) if household_id else None
        vid, gid = self._place
        d = HouseholdForm(self.ledger, h, self, village_id=vid, group_id=gid)

        def saved(change):
            self.after_change(change)
            if h is None and change.id:
                self.view.show_household(change.id)
        d.saved.connect(saved)
        self._keep(d)
        return d

    def open_member_form(self, household_id: int, member_id: int | None = None):
        from .member_form import MemberForm

        m = self.ledger.members.get(member_id) if member_id else None
        d = MemberForm(self.ledger, household_id, m, self)
        d.saved.connect(self.after_change)
        self._keep(d)
        return d

    def open_payment(self, household_id: int, member_ids: list[int]):
        from .payment_dialog import PaymentDialog

        d = PaymentDialog(self.ledger, household_id, member_ids, self.paid_on, self, operator=self.operator())
        # keyboard: Enter takes the payment, the next Enter opens the receipt
        d.save_button.setDefault(True)

        def saved(_pid):
            self.after_change()
            d.print_button.setDefault(True)
            d.print_button.setFocus()
        d.saved.connect(saved)
        d.print_receipt.connect(self.print_receipt)
        self._keep(d)
        return d

    def open_void_refund(self, household_id: int):
        from .void_refund import PaymentsDialog

        d = PaymentsDialog(self.ledger, household_id, self, operator=self.operator())
        d.changed.connect(self.after_change)
        d.print_receipt.connect(self.print_receipt)
        self._keep(d)
        return d

    def print_receipt(self, payment_id: int):
        from .print_preview import PrintPreviewDialog

        d = PrintPreviewDialog.for_receipt(self.ledger, payment_id, self, prefs=self.prefs)
        if d is not None:
            self._keep(d)
        return d

    def open_print(self):
        from .print_preview import PrintChooser

        d = PrintChooser(self, prefs=self.prefs)
        self._keep(d)
        return d

    def open_export(self):
        from .exchange_dialogs import ExportDialog

        d = ExportDialog(self.ledger, self)
        self._keep(d)
        return d

    def open_import(self):
        from .exchange_dialogs import ImportDialog

        d = ImportDialog(self.ledger, self)
        # an import adds many rows anywhere in the list: reload it whole, then refresh the rest
        d.imported.connect(lambda outcome: (self.apply_filter(), self.after_change(outcome)))
        self._keep(d)
        return d

    def open_dashboard(self):
        from .dashboard import DashboardDialog

        d = DashboardDialog(self.ledger, self)
        d.open_household.connect(self.go_to_household)
        d.open_duplicates.connect(self.open_duplicates)
        self._keep(d)
        return d

    def open_duplicates(self):
        from .duplicates_dialog import DuplicatesDialog

        d = DuplicatesDialog(self.ledger, self)
        d.open_household.connect(self.go_to_household)
        d.changed.connect(lambda: self.after_change(None))
        self._keep(d)
        return d

    def open_handover(self):
        from .handover_dialog import HandoverDialog

        d = HandoverDialog(self.ledger, self, operator=self.operator(), day=dt.date.today(), prefs=self.prefs)
        self._keep(d)
        return d

    def open_rollover(self):
        from .rollover_dialog import RolloverDialog

        d = RolloverDialog(self.ledger, self)
        d.open_requested.connect(self.open_ledger_requested.emit)
        self._keep(d)
        return d

    def open_claims(self):
        from .claims_dialog import ClaimsDialog

        d = ClaimsDialog(self.ledger, self, operator=self.operator())
        d.finished.connect(lambda *_: self.after_change(None))
        self._keep(d)
        return d

    def open_policies(self):
        from .policy_page import PolicyPage

        d = PolicyPage(self, current_ledger=self.ledger.path)
        self._keep(d)
        return d

    def open_stations(self):
        from .station_dialog import StationDialog

        d = StationDialog(self.ledger, self)
        # joined the township: every id moved, so the pane, the list and the tree start again
        d.joined.connect(lambda _code: (self.view.show_household(None), self.tree.rebuild(),
                                        self._place_selected(None, None)))
        d.changed.connect(lambda: self.after_change(None))
        self._keep(d)
        return d

    def open_packets(self):
        from .exchange_packet_dialog import ExchangePacketDialog

        d = ExchangePacketDialog(self.ledger, self)
        # a packet adds and changes rows anywhere in the list: reload it whole, then refresh the rest
        d.applied.connect(lambda res: (self.apply_filter(), self.after_change(None)))
        d.conflicts_requested.connect(self.open_conflicts)
        d.stations_requested.connect(self.open_stations)
        self._keep(d)
        return d

    def open_conflicts(self):
        from .conflict_dialog import ConflictDialog

        d = ConflictDialog(self.ledger, self)
        d.payments_requested.connect(self.open_void_refund)  # a double payment's refund, the usual way
        d.resolved.connect(lambda _id: self.after_change(None))
        self._keep(d)
        return d

    def open_settings(self):
        from .settings import Preferences, SettingsDialog

        d = SettingsDialog(self.prefs or Preferences(), self.ledger, self)
        d.accepted.connect(lambda: self.after_change(None))
        d.restore_requested.connect(self.restore_requested.emit)
        d.stations_requested.connect(self.open_stations)
        d.encrypt_requested.connect(self.encrypt_requested.emit)
        self._keep(d)
        return d
