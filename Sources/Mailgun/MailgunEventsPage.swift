/// One page of `GET /v3/{domain}/events`: `{"items": [...], "paging": {...}}`.
public struct MailgunEventsPage: Sendable, Hashable {
    /// The items that decoded, in page order. Each `rawJSON` is the item's text exactly as
    /// received (unknown fields kept).
    public var events: [DecodedMailgunEvent]
    /// Items that did not decode; `line` is the item's 1-based position on the page.
    public var failures: [MailgunDecodingError]
    /// Paging links (always present in Mailgun's answers, even when meaningless).
    public var paging: Paging

    /// Creates a page.
    public init(events: [DecodedMailgunEvent], failures: [MailgunDecodingError] = [], paging: Paging = Paging()) {
        self.events = events
        self.failures = failures
        self.paging = paging
    }

    /// The `paging` object: opaque URLs to GET with the same credentials.
    public struct Paging: Sendable, Hashable {
        /// The next page (an ascending query without `end` keeps growing: ask again later).
        public var next: String?
        /// The previous page.
        public var previous: String?
        /// The first page.
        public var first: String?
        /// The last page.
        public var last: String?

        /// Creates paging links.
        public init(next: String? = nil, previous: String? = nil, first: String? = nil, last: String? = nil) {
            self.next = next
            self.previous = previous
            self.first = first
            self.last = last
        }
    }

    /// Decodes a page. A malformed item does not fail the page: it is listed in ``failures``.
    /// - Throws: ``MailgunDecodingError`` (line 1) when the text is not JSON, not an object,
    ///   or has no `items` array.
    public static func decode(_ text: String) throws(MailgunDecodingError) -> MailgunEventsPage {
        var contiguous = text
        let result: Result<MailgunEventsPage, MailgunDecodingError> = contiguous.withUTF8 { bytes in
            Result { () throws(MailgunDecodingError) in try decode(utf8: bytes) }
        }
        return try result.get()
    }

    private static func decode(utf8 bytes: UnsafeBufferPointer<UInt8>) throws(MailgunDecodingError) -> MailgunEventsPage {
        var parser = JSONParser(bytes: bytes)
        var items: [(index: Int, fields: MailgunEventFields, range: Range<Int>)] = []
        var nonObjects: [(index: Int, value: JSONValue)] = []
        var sawItems = false
        var unusableItems: JSONValue?
        var paging = Paging()
        var nonObjectRoot: JSONValue?
        do throws(JSONParser.SyntaxError) {
            if parser.peek() != UInt8(ascii: "{") {
                nonObjectRoot = try parser.parseDocument()
            } else {
                try parser.readObject { parser, key throws(JSONParser.SyntaxError) in
                    if key.is("items") {
                        guard parser.peek() == UInt8(ascii: "[") else {
                            unusableItems = try parser.parseValue()
                            return
                        }
                        sawItems = true
                        var index = 0
                        try parser.readArray { parser throws(JSONParser.SyntaxError) in
                            index += 1
                            if parser.peek() == UInt8(ascii: "{") {
                                let start = parser.position
                                var fields = MailgunEventFields()
                                try parser.readEvent(into: &fields)
                                items.append((index, fields, start..<parser.position))
                            } else {
                                nonObjects.append((index, try parser.parseValue()))
                            }
                        }
                    } else if key.is("paging") {
                        for member in try parser.parseValue().members ?? [] {
                            switch member.key {
                            case "next": paging.next = member.value.lenientString
                            case "previous": paging.previous = member.value.lenientString
                            case "first": paging.first = member.value.lenientString
                            case "last": paging.last = member.value.lenientString
                            default: break
                            }
                        }
                    } else {
                        try parser.skipValue()
                    }
                }
                try parser.expectEnd()
            }
        } catch {
            throw MailgunDecodingError(line: 1, field: "(json)", problem: "not valid JSON: \(error.problem) at column \(error.column)")
        }
        if let nonObjectRoot {
            throw MailgunDecodingError(line: 1, field: "(root)", problem: "expected an object, found \(nonObjectRoot.typeName)")
        }
        guard sawItems else {
            let found = unusableItems.map { "found \($0.snippet)" } ?? "missing"
            throw MailgunDecodingError(line: 1, field: "items", problem: "expected an array, \(found)")
        }
        var page = MailgunEventsPage(events: [], paging: paging)
        page.events.reserveCapacity(items.count)
        var failures: [(Int, MailgunDecodingError)] = nonObjects.map {
            ($0.index, MailgunDecodingError(line: $0.index, field: "(root)", problem: "expected an object, found \($0.value.typeName)"))
        }
        for item in items {
            do throws(MailgunDecodingError) {
                let event = try item.fields.validated(lineNumber: item.index)
                let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[item.range]), as: UTF8.self)
                page.events.append(DecodedMailgunEvent(event: event, rawJSON: raw))
            } catch {
                failures.append((item.index, error))
            }
        }
        page.failures = failures.sorted { $0.0 < $1.0 }.map(\.1)
        return page
    }
}
