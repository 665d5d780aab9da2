// SPDX-License-Identifier: Apache-2.0

/// A table read from CSV (RFC 4180): a header line of column names, then rows.
///
/// Quoted fields may hold separators, doubled quotes and line breaks; the separator is `,` or,
/// when the header line has more `;` than `,` outside quotes, `;` (as French spreadsheets
/// write). A UTF-8 byte order mark is skipped.
package struct CSVTable: Sendable {
    package var columns: [String]
    /// Each row with its line number in the file (for reports) and its fields.
    package var rows: [(line: Int, fields: [String])]

    /// The index of a column by name.
    package func column(_ name: String) -> Int? {
        self.columns.firstIndex(of: name)
    }

    /// Reads a table.
    ///
    /// - Throws: ``IngestError`` when the file is not UTF-8, has no header line, or a quoted
    ///   field never ends.
    package static func read(_ bytes: [UInt8]) throws(IngestError) -> CSVTable {
        var bytes = bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let offset = UTF8Check.firstInvalidOffset(in: Array(bytes)) {
            throw IngestError("not UTF-8 (byte \(offset))")
        }
        let firstLine = bytes.prefix { $0 != 0x0A }
        let separator: UInt8 = firstLine.filter { $0 == UInt8(ascii: ";") }.count
            > firstLine.filter { $0 == UInt8(ascii: ",") }.count ? UInt8(ascii: ";") : UInt8(ascii: ",")

        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var line = 1
        var recordLine = 1
        var i = bytes.startIndex
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field = []
        }
        while i < bytes.endIndex {
            let c = bytes[i]
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < bytes.endIndex && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(c)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if c == 0x0A { line += 1 }
                    field.append(c)
                }
            } else if c == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
            } else if c == separator {
                endField()
            } else if c == 0x0A || c == 0x0D {
                if c == 0x0D && i + 1 < bytes.endIndex && bytes[i + 1] == 0x0A { i += 1 }
                endField()
                if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
                fields = []
                line += 1
                recordLine = line
            } else {
                field.append(c)
            }
            i += 1
        }
        if quoted { throw IngestError("line \(recordLine): a quoted field never ends") }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            records.append((recordLine, fields))
        }
        guard let header = records.first else { throw IngestError("the file is empty: no header line") }
        return CSVTable(columns: header.1.map { $0.trimmingWhitespace() },
                        rows: records.dropFirst().map { (line: $0.0, fields: $0.1) })
    }
}
