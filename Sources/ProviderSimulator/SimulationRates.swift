/// How often the simulator's ordinary addresses (those not forced by a local-part prefix or a
/// no-MX domain) meet each outcome.
///
/// Address-level rates are decided once per address from a hash of the address and the seed,
/// so the same address always behaves the same. Message-level rates are drawn per message and
/// recipient from the seeded generator.
public struct SimulationRates: Sendable, Hashable {
    // MARK: Address level (fixed per address)

    /// The mailbox does not exist: every send hard-bounces (reason `bounce`) and the address
    /// goes on the bounce list.
    public var nonexistentMailbox: Double
    /// The mailbox is full: 452 4.2.2 temporary failures, retried.
    public var mailboxFull: Double
    /// The recipient's server refuses by its own rules: 5.7.1, reason `espblock`.
    public var ruleRefusal: Double
    /// Microsoft 365 Directory-Based Edge Blocking: 550 5.4.1 Access denied. Applies only to
    /// domains the simulator's DNS model hosts on Microsoft 365.
    public var accessDenied: Double

    // MARK: Message level (drawn per message and recipient)

    /// A delivered message is opened at least once.
    public var open: Double
    /// An opened message is clicked.
    public var click: Double
    /// A delivered message is reported as spam (the address goes on the complaint list).
    public var complaint: Double
    /// A delivered message leads to an unsubscribe (the address goes on the unsubscribe list).
    public var unsubscribe: Double
    /// A delivered message bounces later (asynchronous bounce, `is-delayed-bounce`).
    public var lateBounce: Double
    /// A message to a server that greylists (generic hosts only) is deferred once with
    /// 450 4.2.0, then delivered.
    public var greylisting: Double
    /// A message to a full mailbox is delivered on a later attempt instead of expiring.
    public var mailboxFullRecovery: Double

    /// Creates a set of rates (each a probability in 0...1).
    public init(nonexistentMailbox: Double, mailboxFull: Double, ruleRefusal: Double, accessDenied: Double,
                open: Double, click: Double, complaint: Double, unsubscribe: Double, lateBounce: Double,
                greylisting: Double, mailboxFullRecovery: Double) {
        self.nonexistentMailbox = nonexistentMailbox
        self.mailboxFull = mailboxFull
        self.ruleRefusal = ruleRefusal
        self.accessDenied = accessDenied
        self.open = open
        self.click = click
        self.complaint = complaint
        self.unsubscribe = unsubscribe
        self.lateBounce = lateBounce
        self.greylisting = greylisting
        self.mailboxFullRecovery = mailboxFullRecovery
    }

    /// Plausible rates for a letting agent's mail: ~2% dead mailboxes, ~45% opens.
    public static let `default` = SimulationRates(
        nonexistentMailbox: 0.02, mailboxFull: 0.005, ruleRefusal: 0.003, accessDenied: 0.01,
        open: 0.45, click: 0.20, complaint: 0.001, unsubscribe: 0.002, lateBounce: 0.001,
        greylisting: 0.02, mailboxFullRecovery: 0.5)

    /// Ordinary addresses are delivered and nothing else happens. Forced addresses
    /// (local-part prefixes, no-MX domains) still behave as documented on ``MailgunSimulator``.
    public static let quiet = SimulationRates(
        nonexistentMailbox: 0, mailboxFull: 0, ruleRefusal: 0, accessDenied: 0,
        open: 0, click: 0, complaint: 0, unsubscribe: 0, lateBounce: 0,
        greylisting: 0, mailboxFullRecovery: 0.5)
}
