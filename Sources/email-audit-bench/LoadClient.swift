import Foundation

/// A lean HTTP/1.1 load client for the server benchmark: one thread per connection, keep-alive,
/// each request written whole with one `write` and its answer read to the end of its body
/// (Content-Length). On a 2-core machine the client shares the cores with the server, so it
/// does as little work per request as it can: the requests are built before the clock starts.
struct LoadClient {
    let port: Int
    let connections: Int

    /// Sends every request (`path`, `headers`, body) with `connections` in flight; counts 2xx
    /// answers and times each request from its write to the end of its answer.
    func post(path: String, headers: [String: String], bodies: [String]) throws -> ServerBench.LoadRun {
        let head = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        let requests: [[UInt8]] = bodies.map { body in
            Array("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(head)Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        }
        let lanes = max(1, min(connections, requests.count))
        let results = UnsafeMutableBufferPointer<(ok: Bool, ms: Double)>.allocate(capacity: requests.count)
        results.initialize(repeating: (false, 0))
        defer { results.deallocate() }
        let shared = SharedResults(results)
        let failures = FailureLog()
        let started = DispatchTime.now().uptimeNanoseconds
        // A thread per connection (blocking reads): every lane has its request in flight at once.
        let done = DispatchGroup()
        for lane in 0..<lanes {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                do {
                    var connection = try Connection(port: port)
                    defer { close(connection.socket) }
                    var index = lane
                    while index < requests.count {
                        let begin = DispatchTime.now().uptimeNanoseconds
                        let status = try connection.exchange(requests[index])
                        shared.set(index, ok: (200..<300).contains(status), ms: Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6)
                        index += lanes
                    }
                } catch {
                    failures.add("\(error)")
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        done.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        if let first = failures.first { throw BenchError("load client: \(first)") }
        let latencies = results.map(\.ms).sorted()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int((p / 100 * Double(latencies.count - 1)).rounded(.up)))]
        }
        return ServerBench.LoadRun(ok: results.filter(\.ok).count, seconds: seconds, p50: percentile(50), p99: percentile(99))
    }

    /// Each lane writes only its own indexes.
    private final class SharedResults: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<(ok: Bool, ms: Double)>
        init(_ buffer: UnsafeMutableBufferPointer<(ok: Bool, ms: Double)>) { self.buffer = buffer }
        func set(_ index: Int, ok: Bool, ms: Double) { buffer[index] = (ok, ms) }
    }

    private final class FailureLog: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String] = []
        func add(_ message: String) { lock.lock(); messages.append(message); lock.unlock() }
        var first: String? { lock.lock(); defer { lock.unlock() }; return messages.first }
    }

    /// One keep-alive connection to 127.0.0.1.
    struct Connection {
        let socket: Int32
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var pending: [UInt8] = []

        init(port: Int) throws {
            socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { throw BenchError("no socket") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            guard connected else { throw BenchError("cannot connect to 127.0.0.1:\(port)") }
            var one: Int32 = 1
            setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }

        /// Writes a request and reads its answer; returns the status code.
        mutating func exchange(_ request: [UInt8]) throws -> Int {
            var sent = 0
            while sent < request.count {
                let n = request[sent...].withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
                guard n > 0 else { throw BenchError("write failed") }
                sent += n
            }
            // Read until the head is complete, then until Content-Length bytes of body. The head is
            // read as bytes (no strings): this runs once per request on the cores the server needs.
            while true {
                if let end = headEnd() {
                    let status = pending.count > 12 ? Self.number(pending[9..<12]) : 0
                    let total = end + 4 + contentLength(headEnd: end)
                    while pending.count < total { try fill() }
                    pending.removeFirst(total)
                    return status
                }
                try fill()
            }
        }

        private static func number(_ digits: ArraySlice<UInt8>) -> Int {
            var value = 0
            for byte in digits {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }

        /// The Content-Length of the head ending at `end` (0 when absent); the header name in any case.
        private func contentLength(headEnd end: Int) -> Int {
            let name = Array("\r\ncontent-length:".utf8)
            var i = 0
            while i + name.count <= end {
                var matches = true
                for k in 0..<name.count where pending[i + k] | (k >= 2 ? 0x20 : 0) != name[k] {
                    matches = false
                    break
                }
                if matches {
                    var j = i + name.count
                    while j < end, pending[j] == UInt8(ascii: " ") { j += 1 }
                    return Self.number(pending[j..<end])
                }
                i += 1
            }
            return 0
        }

        private func headEnd() -> Int? {
            guard pending.count >= 4 else { return nil }
            for i in 0...(pending.count - 4) where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
                return i
            }
            return nil
        }

        private mutating func fill() throws {
            let n = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
            guard n > 0 else { throw BenchError("connection closed") }
            pending += buffer[..<n]
        }
    }
}
