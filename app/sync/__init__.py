"""Exchange packets between a township's laptops (stations), built on SQLite's session extension.

- ``capture``: triggers keep, for every row of a replicated table changed here since the last packet, the
  row as it was (``sync_base``); the row ids come from the station's own block (``app.ledger.ids``).
- ``outbox``: writing a packet turns those rows into a changeset (``apsw.Session.diff`` between the rows as
  they were and as they are), split by the station each row belongs to, kept in ``sync_outbox`` until the
  other side acknowledges it.
- ``packet_file``: the file itself — a zip encrypted with AES (pyzipper) holding the changesets (and the
  township's policy files) and a header signed with the sending station's own Ed25519 key (``signing``) and
  with HMAC-SHA256 under the township's key.
- ``policy_files``: the policy files the township sends, checked and installed on a station;
  ``moves``: a member the township moves into another village's household reaches that station whole, with
  their payments (the same rows: ``standing_items`` sees them paid); both villages hold the other's household
  as an 外村户 (``away_households``), which no list or total reads.
- ``applying``: reading a packet — every change applied in one transaction through
  ``apsw.Changeset.apply``, each clash recorded in ``sync_conflicts``, never silently overwritten.
- ``packets`` and ``conflicts``: the API the window and the CLI use.
"""
