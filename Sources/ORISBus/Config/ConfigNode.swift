// SPDX-License-Identifier: Apache-2.0

/// A value of a configuration document with the path that leads to it, so that every problem
/// names its field.
struct ConfigNode {
    let value: JSONValue
    let path: String
    let file: String

    func fail(_ problem: String, field: String? = nil) -> ConfigurationError {
        ConfigurationError(file: self.file, field: field ?? self.path, problem: problem)
    }

    private func childPath(_ key: String) -> String {
        self.path.isEmpty ? key : "\(self.path).\(key)"
    }

    /// The object's fields, refusing any key not in `allowed` with a "did you mean".
    func object(allowed: [String]) throws(ConfigurationError) -> JSONObject {
        guard let object = self.value.objectValue else {
            throw self.fail("expected an object, found \(self.value.typeName)")
        }
        for key in object.keys where !allowed.contains(key) {
            let hint = Suggestion.closest(to: key, among: allowed).map { "; did you mean '\($0)'?" } ?? ""
            throw self.fail("unknown field\(hint) (known: \(allowed.joined(separator: ", ")))",
                            field: self.childPath(key))
        }
        return object
    }

    func child(_ object: JSONObject, _ key: String) -> ConfigNode? {
        object[key].map { ConfigNode(value: $0, path: self.childPath(key), file: self.file) }
    }

    func required(_ object: JSONObject, _ key: String) throws(ConfigurationError) -> ConfigNode {
        guard let node = self.child(object, key) else {
            throw self.fail("missing", field: self.childPath(key))
        }
        return node
    }

    func string() throws(ConfigurationError) -> String {
        guard let text = self.value.stringValue else {
            throw self.fail("expected a string, found \(self.value.typeName)")
        }
        return text
    }

    func identifier() throws(ConfigurationError) -> String {
        let text = try self.string()
        guard Identifier.isValid(text) else {
            throw self.fail("'\(text)' is not a name: 1 to \(Identifier.maximumLength) lower-case letters, "
                            + "digits and '-', starting with a letter or digit")
        }
        return text
    }

    func bool() throws(ConfigurationError) -> Bool {
        guard let flag = self.value.boolValue else {
            throw self.fail("expected true or false, found \(self.value.typeName)")
        }
        return flag
    }

    func integer(in range: ClosedRange<Int64>) throws(ConfigurationError) -> Int64 {
        guard let number = self.value.intValue else {
            throw self.fail("expected a whole number, found \(self.value.typeName)")
        }
        guard range.contains(number) else {
            throw self.fail("\(number) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    func word<W: Vocabulary>(_ type: W.Type) throws(ConfigurationError) -> W {
        let text = try self.string()
        guard let word = W(word: text) else {
            throw self.fail("'\(text)' is not one of \(W.wordList)")
        }
        return word
    }

    func array() throws(ConfigurationError) -> [ConfigNode] {
        guard let items = self.value.arrayValue else {
            throw self.fail("expected an array, found \(self.value.typeName)")
        }
        return items.enumerated().map { ConfigNode(value: $1, path: "\(self.path)[\($0)]", file: self.file) }
    }

    func strings() throws(ConfigurationError) -> [String] {
        var out = [String]()
        for item in try self.array() {
            out.append(try item.string())
        }
        return out
    }
}
