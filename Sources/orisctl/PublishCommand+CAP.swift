// SPDX-License-Identifier: Apache-2.0
import ORISBus

extension PublishCommand {
    static let capUsage = """
    Usage: orisctl publish --cap FILE|FOLDER... [--map FILE] [--theme THEME] [common options]

    Each OASIS CAP alert (1.2, 1.1; prefixed or not; inside an EDXL-DE envelope; UTF-8 or
    ISO-8859-1) becomes an alert item whose body is the original file. Its id comes from the
    alert's sender, identifier and sent time, so importing a file again stores nothing new;
    Update and Cancel alerts refer to the items of the alerts they name. A folder gives every
    .xml and .cap file under it. A file that cannot be read is reported on one line and the
    import goes on; the summary says what was published, already present and rejected
    (exit 65 when anything was rejected).

    \(MappingOptions.help)
    """

    /// `publish --cap`: imports CAP files.
    static func runCAP(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let mapping = try MappingOptions.read(&arguments)
        let quiet = arguments.flag("--quiet")
        let paths = try arguments.positionals()
        try arguments.finish()
        guard !paths.isEmpty else { throw UsageError("give at least one CAP file or folder") }
        let files = try InputFiles.expandSome(paths, kind: ".xml or .cap file") {
            $0.hasSuffix(".xml") || $0.hasSuffix(".cap")
        }

        let run = ImportRun(common: common, total: files.count, quiet: quiet)
        for file in files {
            guard let bytes = FileBytes.read(path: file) else {
                run.reject(file, "cannot read: \(FileBytes.lastErrorText())")
                continue
            }
            let item: ImportItem
            do {
                item = try CAPAlert.read(bytes).item(mapping: mapping, body: bytes, source: file)
            } catch {
                run.reject(file, error.description)
                continue
            }
            try run.publish(item)
        }
        return run.finish()
    }
}
