// SPDX-License-Identifier: Apache-2.0

/// The configuration `orisd` runs with when given none: one demo region, Bourgogne-Franche-Comté,
/// with the three key themes the founding document takes as examples (Cahier 5), a member of each
/// stratum, loopback and ipc only. config/orisd.example.json is the same document.
enum DefaultConfiguration {
    static let text = """
    // ORIS Bus: the embedded default, one demo region on loopback and ipc only.
    {
      "state_dir": "oris-state",
      "security": "none",
      "log_level": "info",
      "endpoints": {
        // Relative ipc paths live in the state folder.
        "api": ["tcp://127.0.0.1:7400", "ipc://api.sock"],
        "feed": ["tcp://127.0.0.1:7401", "ipc://feed.sock"],
        "ingest": ["tcp://127.0.0.1:7402", "ipc://ingest.sock"]
      },
      "limits": {"max_header_bytes": 16384, "max_body_bytes": 1048576, "max_title_length": 200},
      // Messages queued per feed subscriber; past it, that subscriber loses messages (and gets
      // them back through gap repair). Worst case held: this × (max body + max header).
      "feed_high_water_mark": 10000,
      // Every tenant's journal: fsync always (an ACK waits for the disk), batch or never.
      "journal": {"fsync": "always", "segment_bytes": 67108864, "dedupe_window_seconds": 86400},
      "tenants": [
        {
          "id": "bfc",
          "name": "Bourgogne-Franche-Comté",
          // Escalation rules for themes that set none: weak signals sharing a tag from three
          // independent capteurs within three days raise one corroboration alert.
          "defaults": {"corroboration": {"sources": 3, "window_seconds": 259200, "match": "tag"}},
          "themes": [
            {"id": "machine-speciale", "crps_severity": "Severe",
             "title": "Filière machine spéciale du territoire de Belfort"},
            {"id": "micromeca-medical", "crps_severity": "Severe", "trans_regional": true,
             "title": "Micromécanique bisontine et instrumentation médicale"},
            {"id": "auto-rang3", "crps_severity": "Moderate",
             "title": "Fournisseurs automobiles de rang 3 du Doubs"}
          ],
          "members": [
            {"id": "cci-belfort", "stratum": "capteur", "themes": ["machine-speciale"],
             "organisation": "CCI du Territoire de Belfort", "name": "Veille CCI Belfort"},
            {"id": "pole-microtech", "stratum": "capteur", "themes": ["micromeca-medical"],
             "organisation": "Pôle des microtechniques", "name": "Capteur pôle microtechniques"},
            {"id": "cci-doubs", "stratum": "capteur", "themes": ["auto-rang3", "machine-speciale"],
             "organisation": "CCI du Doubs", "name": "Veille CCI Doubs"},
            {"id": "gip-machine", "stratum": "gip", "themes": ["machine-speciale"]},
            {"id": "gip-micromeca", "stratum": "gip", "themes": ["micromeca-medical"]},
            {"id": "gip-auto", "stratum": "gip", "themes": ["auto-rang3"]},
            {"id": "crps-bfc", "stratum": "crps", "name": "Cellule régionale de pilotage stratégique"},
            {"id": "operator", "stratum": "operator"}
          ]
        }
      ]
    }
    """
}
