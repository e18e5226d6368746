import AuditCore

/// Small JSON answers of `serve` and the HTTP simulator, built as values and written by
/// AuditCore's ``JSONWriter`` (the project's one JSON writer), terminal-safe: members in the
/// order given, every character a terminal would act on written as a `\u` escape.
enum JSONText {
    indirect enum Value {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case members([(String, Value)])
    }

    static func object(_ members: KeyValuePairs<String, Value>) -> String {
        render(.members(members.map { ($0.key, $0.value) }))
    }

    static func render(_ value: Value) -> String {
        var writer = JSONWriter(capacity: 128, terminalSafe: true)
        write(value, into: &writer)
        return writer.text
    }

    /// A JSON string literal for `text`, escaped as ``render(_:)`` escapes strings.
    static func quoted(_ text: String) -> String {
        render(.string(text))
    }

    private static func write(_ value: Value, into writer: inout JSONWriter) {
        switch value {
        case .string(let text): writer.writeString(text)
        case .int(let number): writer.writeInt(Int(number))
        case .bool(let flag): writer.writeBool(flag)
        case .members(let members):
            writer.beginObject()
            for (name, member) in members {
                writer.key(name)
                write(member, into: &writer)
            }
            writer.endObject()
        }
    }
}

extension JSONText.Value {
    static func object(_ members: KeyValuePairs<String, JSONText.Value>) -> JSONText.Value {
        .members(members.map { ($0.key, $0.value) })
    }
}
