/// The simulator's own seeded pseudo-random generator (SplitMix64).
///
/// Every helper here is defined in this file, not by the standard library, so a seed gives
/// the same stream on every platform and toolchain. The system generator is never used.
struct SimulationRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// A generator for one part of the simulation, derived from a parent seed and labels
    /// (e.g. the message counter and the recipient index), so results never depend on call timing.
    init(seed: UInt64, _ labels: UInt64...) {
        var state = StableHash.mix(seed)
        for label in labels {
            state = StableHash.mix(state ^ StableHash.mix(label &+ 0x9E37_79B9_7F4A_7C15))
        }
        self.state = state
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return StableHash.mix(state)
    }

    /// A uniform value in [0, 1) with 53 random bits.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        probability > 0 && unit() < probability
    }

    /// A uniform integer in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next().multipliedFullWidth(by: width).high)
    }

    /// A uniform element of a non-empty array.
    mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[int(in: 0...(elements.count - 1))]
    }

    /// A value between `lower` and `upper` (both > 0) whose logarithm is uniform: most values
    /// are near the lower end, a few reach the upper end. Good for human reaction times.
    mutating func logUniform(_ lower: Double, _ upper: Double) -> Double {
        let logLower = Self.naturalLog(lower)
        let logUpper = Self.naturalLog(upper)
        return Self.exponential(logLower + (logUpper - logLower) * unit())
    }

    /// Microseconds in `lower...upper` seconds.
    mutating func micros(seconds lower: Double, _ upper: Double) -> Int64 {
        Int64(((lower + (upper - lower) * unit()) * 1_000_000).rounded())
    }

    /// `count` characters from the URL-safe base64 alphabet, like Mailgun's event ids.
    mutating func urlSafeString(count: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var bits: UInt64 = 0
        var available = 0
        for _ in 0..<count {
            if available < 6 {
                bits = next()
                available = 64
            }
            bytes.append(Self.alphabet[Int(bits & 63)])
            bits >>= 6
            available -= 6
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `count` lower-case hexadecimal digits.
    mutating func hex(count: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var bits: UInt64 = 0
        var available = 0
        for _ in 0..<count {
            if available < 4 {
                bits = next()
                available = 64
            }
            bytes.append(Self.hexDigits[Int(bits & 15)])
            bits >>= 4
            available -= 4
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    // Portable log/exp so results do not depend on the platform's libm.

    /// Natural logarithm for x > 0 (accurate to ~1e-15, which is ample for simulated delays).
    static func naturalLog(_ x: Double) -> Double {
        precondition(x > 0)
        // x = m * 2^e with m in [1, 2).
        let exponent = Double(x.exponent)
        let m = x.significand
        // ln(m) = 2 atanh((m-1)/(m+1)), series converges fast for m in [1, 2).
        let t = (m - 1) / (m + 1)
        let t2 = t * t
        var term = t
        var sum = 0.0
        var k = 1.0
        while abs(term) > 1e-18 {
            sum += term / k
            term *= t2
            k += 2
        }
        return 2 * sum + exponent * 0.693_147_180_559_945_3
    }

    /// e^x for moderate x (|x| < 700).
    static func exponential(_ x: Double) -> Double {
        // e^x = 2^k * e^r with r in [-ln2/2, ln2/2].
        let ln2 = 0.693_147_180_559_945_3
        let k = (x / ln2).rounded()
        let r = x - k * ln2
        var term = 1.0
        var sum = 1.0
        var n = 1.0
        while abs(term) > 1e-18 {
            term *= r / n
            sum += term
            n += 1
        }
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }
}

/// Stable (process-independent) hashing. Swift's `Hasher` is randomly seeded per process,
/// so it must not decide simulated outcomes.
enum StableHash {
    /// The SplitMix64 finaliser: a good 64-bit mixing function.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a over the UTF-8 bytes of `text`, mixed with `seed`.
    static func hash(_ text: String, seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return mix(hash ^ mix(seed))
    }

    /// A uniform value in [0, 1) from `text` and `seed`.
    static func unit(_ text: String, seed: UInt64) -> Double {
        Double(hash(text, seed: seed) >> 11) * 0x1p-53
    }
}
