/// One page of `GET /v3/{domain}/events`: `{"items": [...], "paging": {...}}`.
public struct MailgunEventsPage: Sendable, Hashable {
    /// The items that decoded, in page order. Each `rawJSON` is the item re-serialised
    /// compactly with its members in the order received (unknown fields kept).
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
        public var next: String?
        public var previous: String?
        public var first: String?
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
        let parsed: Result<JSONValue, MailgunDecodingError> = contiguous.withUTF8 { bytes in
            var parser = JSONParser(bytes: bytes)
            do throws(JSONParser.SyntaxError) {
                return .success(try parser.parseDocument())
            } catch {
                return .failure(MailgunDecodingError(line: 1, field: "(json)",
                                                     problem: "not valid JSON: \(error.problem) at column \(error.column)"))
            }
        }
        let root = try parsed.get()
        guard case .object = root else {
            throw MailgunDecodingError(line: 1, field: "(root)", problem: "expected an object, found \(root.typeName)")
        }
        guard case .array(let items)? = root["items"] else {
            let found = root["items"].map { "found \($0.snippet)" } ?? "missing"
            throw MailgunDecodingError(line: 1, field: "items", problem: "expected an array, \(found)")
        }
        var page = MailgunEventsPage(events: [])
        page.events.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .object(let members) = item else {
                page.failures.append(MailgunDecodingError(line: index + 1, field: "(root)",
                                                          problem: "expected an object, found \(item.typeName)"))
                continue
            }
            do {
                let event = try MailgunEvent(members: members, lineNumber: index + 1)
                page.events.append(DecodedMailgunEvent(event: event, rawJSON: item.compactText))
            } catch {
                page.failures.append(error)
            }
        }
        if let paging = root["paging"]?.members {
            for member in paging {
                switch member.key {
                case "next": page.paging.next = member.value.lenientString
                case "previous": page.paging.previous = member.value.lenientString
                case "first": page.paging.first = member.value.lenientString
                case "last": page.paging.last = member.value.lenientString
                default: break
                }
            }
        }
        return page
    }
}
