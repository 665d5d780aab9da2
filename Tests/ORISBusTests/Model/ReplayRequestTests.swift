// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// REPLAY's arguments as PROTOCOL.md section 5.3 states them.
@Suite struct ReplayRequestTests {
    static func parse(_ text: String) -> Result<ReplayRequest, Rejection> {
        Result { () throws(Rejection) in try ReplayRequest(Array(text.utf8)) }
    }

    @Test(arguments: ["0", "-1", "1001", "\"10\"", "2.5", "true"])
    func limit_outsideOneToAThousand_orNotAWholeNumber_isRefusedSayingSo(limit: String) {
        let outcome = Self.parse(#"{"prefix": "bfc/t/gip/", "limit": "# + limit + "}")

        #expect(outcome.failure == Rejection(.badRequest, "'limit' must be a whole number from 1 to 1000"))
    }

    @Test func limit_atEitherEnd_isTaken() throws {
        #expect(try Self.parse(#"{"prefix": "bfc/t/gip/", "limit": 1}"#).get().limit == 1)
        #expect(try Self.parse(#"{"prefix": "bfc/t/gip/", "limit": 1000}"#).get().limit == 1000)
        #expect(try Self.parse(#"{"prefix": "bfc/t/gip/"}"#).get().limit == 100)
    }
}

extension Result {
    /// The error, nil on success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
