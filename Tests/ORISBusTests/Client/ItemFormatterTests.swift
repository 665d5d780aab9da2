// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Lines shown on an analyst's terminal carry no control sequence from a publisher.
@Suite struct ItemFormatterTests {
    @Test func oneLine_turnsLineBreaksIntoSpaces_andControlsAndBidiOverridesIntoReplacements() {
        let text = "a\nb\r\tc\u{1B}[31md\u{7F}e\u{9B}f\u{202E}g\u{2066}h"

        #expect(ItemFormatter.oneLine(text) == "a b  c\u{FFFD}[31md\u{FFFD}e\u{FFFD}f\u{FFFD}g\u{FFFD}h")
    }

    @Test func humanLine_ofAForgedTitleAndReason_holdsNoEscape() {
        let header = #"{"title":"vrai\u001b[2K\rfaux","reason":"escalated by g: \u001b]0;x\u0007","seq":1}"#
        let item = ReceivedItem(topic: "bfc/t/crps/alert", header: (try? JSONParser.parse(header))?.objectValue,
                                rawHeader: Array(header.utf8), body: [])

        let line = ItemFormatter.humanLine(item)

        #expect(!line.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x0D })
        #expect(line.contains("«vrai\u{FFFD}[2K faux»"))
    }
}
