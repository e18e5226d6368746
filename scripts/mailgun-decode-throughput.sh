#!/bin/sh
# Release-mode throughput of the Mailgun event decoder (and of the simulator that feeds it),
# with JSONDecoder and JSONSerialization baselines on the same lines.
#
#   scripts/mailgun-decode-throughput.sh [event-count] [seconds-per-measurement]
#
# Builds AuditCore, Mailgun and ProviderSimulator with `swiftc -O -wmo` into
# .build-mailgun/decode-throughput (no SwiftPM build, so it does not disturb other builds),
# then runs the measurement. Uses at most 2 threads.
set -eu
cd "$(dirname "$0")/.."
OUT=.build-mailgun/decode-throughput
mkdir -p "$OUT"
module() {
    name=$1; shift
    swiftc -O -wmo -parse-as-library -swift-version 6 -module-name "$name" -I "$OUT" \
        -emit-module -emit-module-path "$OUT/$name.swiftmodule" \
        -emit-library -static -o "$OUT/lib$name.a" "$@"
}
module AuditCore Sources/AuditCore/*.swift
module Mailgun Sources/Mailgun/*.swift
module ProviderSimulator Sources/ProviderSimulator/*.swift
swiftc -O -wmo -swift-version 6 -I "$OUT" -L "$OUT" -lProviderSimulator -lMailgun -lAuditCore \
    scripts/mailgun-decode-throughput/main.swift -o "$OUT/mailgun-decode-throughput"
exec "$OUT/mailgun-decode-throughput" "$@"
