// The Mailgun event decoder against Foundation's JSONDecoder and JSONSerialization on the same
// simulator lines, and the encoder that writes them (`make bench`, `swift package benchmark`).
// Throughput is lines (events) per second: each scaled iteration handles one line.
import Benchmark
import Foundation
import Mailgun

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000)

    let corpus = EventLines.corpus()

    Benchmark("MailgunEventDecoder (own parser)") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try? MailgunEventDecoder.decode(line: corpus.lines[index], lineNumber: index + 1))
        }
    }

    Benchmark("JSONDecoder + Codable mirror") { benchmark in
        let decoder = JSONDecoder()
        for index in benchmark.scaledIterations {
            blackHole(try? decoder.decode(CodableEvent.self, from: corpus.datas[index]))
        }
    }

    Benchmark("JSONSerialization + manual extraction") { benchmark in
        for index in benchmark.scaledIterations {
            let object = (try? JSONSerialization.jsonObject(with: corpus.datas[index])) as? [String: Any]
            blackHole(object.flatMap(SerializationExtraction.event(from:)))
        }
    }

    Benchmark("MailgunEventEncoder") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(MailgunEventEncoder.jsonLine(corpus.events[index]))
        }
    }
}
