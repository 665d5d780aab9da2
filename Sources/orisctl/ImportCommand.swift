// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl import`: tables, MISP events and STIX bundles become items.
enum ImportCommand: DaemonCommand {
    static let name = "import"
    static let summary = "import a table (CSV), MISP events or STIX 2.1 bundles as items"
    static let usage = """
    Usage: orisctl import --csv FILE --map MAPPING [common options]
           orisctl import --misp FILE|FOLDER... [--map FILE] [--theme THEME] [common options]
           orisctl import --stix FILE|FOLDER... [--map FILE] [--theme THEME] [common options]

    --csv: each row becomes an item. The mapping's csv section names the columns giving the
    region, the sector, the title, the date and the kind; its regions section says which
    tenant's member publishes each region's rows (--as is not used). Rows of a region the
    mapping does not name, or whose member the daemon does not know, are counted by region
    and reported.
    --misp, --stix: each event or bundle becomes one item whose body is the original JSON, its
    TLP from the source's markings and its severity from MISP's threat level or STIX's
    confidence (docs/IMPORT.md has the table).
    Exit 65 when anything was rejected.

    \(MappingOptions.help)
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let csv = try arguments.option("--csv")
        let misp = arguments.flag("--misp")
        let stix = arguments.flag("--stix")
        let mapping = try MappingOptions.read(&arguments)
        let quiet = arguments.flag("--quiet")
        let paths = try arguments.positionals()
        try arguments.finish()
        guard [csv != nil, misp, stix].filter({ $0 }).count == 1 else {
            throw UsageError("say what to import: --csv FILE, --misp or --stix")
        }
        if let csv {
            guard paths.isEmpty else { throw UsageError("--csv takes one FILE; '\(paths[0])' is extra") }
            return try self.table(csv, mapping: mapping, common: common, quiet: quiet)
        }
        guard !paths.isEmpty else { throw UsageError("give at least one file or folder") }
        let files = try InputFiles.expandSome(paths, kind: ".json file") { $0.hasSuffix(".json") }
        let run = ImportRun(common: common, total: files.count, quiet: quiet)
        for file in files {
            guard let bytes = FileBytes.read(path: file) else {
                run.reject(file, "cannot read: \(FileBytes.lastErrorText())")
                continue
            }
            do {
                let item = misp ? try ThreatEvent.misp(bytes, mapping: mapping, source: file)
                    : try ThreatEvent.stix(bytes, mapping: mapping, source: file)
                try run.publish(item)
            } catch let error as IngestError {
                run.reject(file, error.description)
            }
        }
        return run.finish()
    }

    private static func table(_ path: String, mapping: ImportMapping, common: CommonOptions, quiet: Bool) throws
    -> Int32 {
        guard let bytes = FileBytes.read(path: path) else {
            throw CommandFailure.noInput("cannot read table '\(path)': \(FileBytes.lastErrorText())")
        }
        let mapped: CSVTable.Mapped
        do {
            let name = String(path.split(separator: "/").last ?? Substring(path))
            mapped = try CSVTable.read(bytes).items(mapping: mapping, name: name)
        } catch {
            throw CommandFailure.noInput("table '\(path)': \(error)")
        }
        let run = ImportRun(common: common, total: mapped.items.count, quiet: quiet)
        for (source, reason) in mapped.rejected { run.reject(source, reason) }
        var notServed = mapped.unmappedRegions
        // Rows whose member got no answer: the daemon may not know it, or not be there at all.
        var unanswered: [String: Int] = [:]
        var misplaced = Set<String>()
        for (region, item) in mapped.items {
            guard let publisher = item.publisher else { continue }
            guard let tenant = try run.tenant(of: publisher) else {
                unanswered[region, default: 0] += 1
                continue
            }
            guard tenant == publisher.tenant else {
                // Said once per member, not once per row.
                if misplaced.insert(publisher.member).inserted {
                    Output.error("member '\(publisher.member)' belongs to tenant '\(tenant)', not "
                                 + "'\(publisher.tenant)' as the mapping says")
                }
                notServed[region, default: 0] += 1
                continue
            }
            try run.publish(item)
        }
        for (counts, reason) in [(notServed, "rows of regions no tenant here takes"),
                                 (unanswered, "rows whose member got no answer")] {
            let rows = counts.values.reduce(0, +)
            run.skip(reason, count: rows)
            if rows > 0 {
                let list = counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                Output.error("\(reason), by region: \(list)")
            }
        }
        return run.finish()
    }
}
