/// Which provider takes each account's emails at hand-over.
///
/// A store can hold several agencies, each sending through its own Mailgun domain (the demo's
/// three agencies do). An account with a provider of its own is handed to it; any other account
/// goes to the ``fallback``, or, without one, its emails stay Pending for a feeder that serves
/// it, so an email is never sent through another agency's domain.
public struct HandOverProviders: Sendable {
    /// The provider of every account that has none of its own; nil when only the accounts in
    /// ``byAccount`` are handed over.
    public var fallback: (any EmailProvider)?
    /// Providers by account id.
    public var byAccount: [Int64: any EmailProvider]

    /// Every account's emails through `provider` (one sending domain, as `serve` has).
    public static func every(_ provider: any EmailProvider) -> HandOverProviders {
        HandOverProviders(fallback: provider, byAccount: [:])
    }

    /// Only these accounts' emails, each through its own provider; other accounts' wait.
    public static func only(_ byAccount: [Int64: any EmailProvider]) -> HandOverProviders {
        HandOverProviders(fallback: nil, byAccount: byAccount)
    }

    public init(fallback: (any EmailProvider)?, byAccount: [Int64: any EmailProvider]) {
        self.fallback = fallback
        self.byAccount = byAccount
    }

    /// The provider that takes `accountID`'s emails, if any does.
    public func provider(forAccount accountID: Int64) -> (any EmailProvider)? {
        byAccount[accountID] ?? fallback
    }

    /// The accounts whose emails are handed over, sorted; nil when every account's are.
    public var servedAccounts: [Int64]? {
        fallback == nil ? byAccount.keys.sorted() : nil
    }
}
