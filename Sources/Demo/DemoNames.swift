import Foundation

/// Word lists for the demo portfolio: UK blocks, towns, and people (some names non-ASCII).
enum DemoNames {
    /// Staff of the demo agency. The last two are on the support team.
    static let staff: [String] = [
        "Amelia Hughes", "Oliver Bennett", "Zoë Clarke", "Łukasz Nowak", "Siobhán O'Connor", "Priya Sharma",
        "James Whitfield", "Fatima Rahman", "Tomasz Wiśniewski", "Eleanor Price", "Daniel Okafor",
        "Grace Thompson", "Mohammed Iqbal", "Sophie Turner", "Callum MacLeod", "Aisling Byrne", "Rhys Evans",
        "Hannah Lewis", "Benjamin Cohen", "Chloé Martin", "Samuel Adeyemi", "Megan Jones", "Niamh Gallagher",
        "Arjun Patel", "Isla Campbell", "Harry Walsh", "Lucy Fraser", "Owen Griffiths",
        "Kate Ellison", "Marcus Reid",
    ]
    static let supportStaffCount = 2

    /// First names as shown, with an ASCII spelling for email addresses.
    static let firstNames: [(String, String)] = [
        ("Zoë", "zoe"), ("Łukasz", "lukasz"), ("Siobhán", "siobhan"), ("Renée", "renee"), ("José", "jose"),
        ("Małgorzata", "malgorzata"), ("Dáithí", "daithi"), ("Søren", "soren"), ("François", "francois"),
        ("Margaret", "margaret"), ("David", "david"), ("Susan", "susan"), ("Peter", "peter"), ("Helen", "helen"),
        ("Robert", "robert"), ("Jennifer", "jennifer"), ("Michael", "michael"), ("Sarah", "sarah"),
        ("Andrew", "andrew"), ("Emma", "emma"), ("Christopher", "chris"), ("Rachel", "rachel"), ("Paul", "paul"),
        ("Laura", "laura"), ("Mark", "mark"), ("Nicola", "nicola"), ("Stephen", "stephen"), ("Claire", "claire"),
        ("Anthony", "anthony"), ("Joanne", "joanne"), ("Gareth", "gareth"), ("Ffion", "ffion"), ("Ewan", "ewan"),
        ("Morag", "morag"), ("Anil", "anil"), ("Sunita", "sunita"), ("Kwame", "kwame"), ("Adaeze", "adaeze"),
        ("Wei", "wei"), ("Mei-Ling", "meiling"), ("Yusuf", "yusuf"), ("Aoife", "aoife"), ("Piotr", "piotr"),
    ]

    static let lastNames: [(String, String)] = [
        ("Smith", "smith"), ("Jones", "jones"), ("Taylor", "taylor"), ("Brown", "brown"), ("Williams", "williams"),
        ("Wilson", "wilson"), ("Johnson", "johnson"), ("Davies", "davies"), ("Robinson", "robinson"),
        ("Wright", "wright"), ("Thompson", "thompson"), ("Evans", "evans"), ("Walker", "walker"), ("White", "white"),
        ("Roberts", "roberts"), ("Green", "green"), ("Hall", "hall"), ("Wood", "wood"), ("Jackson", "jackson"),
        ("Clarke", "clarke"), ("Kowalski", "kowalski"), ("Nowak", "nowak"), ("Ó Súilleabháin", "osullivan"),
        ("Müller", "muller"), ("Brontë", "bronte"), ("Patel", "patel"), ("Khan", "khan"), ("Chen", "chen"),
        ("Okonkwo", "okonkwo"), ("MacDonald", "macdonald"), ("Fitzgerald", "fitzgerald"), ("Lloyd", "lloyd"),
        ("Hughes", "hughes"), ("Ahmed", "ahmed"), ("Singh", "singh"), ("Campbell", "campbell"), ("Byrne", "byrne"),
    ]

    static let blocks: [String] = [
        "Albion Court", "Kingfisher House", "Riverside Quay", "Victoria Mansions", "The Maltings", "Harbour View",
        "St Mary's Close", "Beechwood Gardens", "Wellington Lofts", "Cathedral Walk", "Mill Race House",
        "Lighthouse Point", "Foundry Yard", "Regent Terrace", "Orchard Mews", "Canal Wharf", "Observatory Heights",
        "The Old Brewery", "Seymour Place", "Marlborough Court", "Priory Gate", "Clifton Rise", "Granary Square",
        "Ropewalk House", "Belvedere Court", "Chandlers Reach", "Linden Lodge", "Tannery Buildings",
        "Quayside Apartments", "Hawthorn House",
    ]

    static let streets: [String] = [
        "High Street", "Station Road", "Church Lane", "Mill Road", "Queen Street", "Victoria Road", "Park Road",
        "The Strand", "Harbour Road", "London Road", "King's Parade", "Canal Street", "Castle Hill", "Dock Road",
    ]

    static let towns: [(String, String)] = [
        ("London", "SE1"), ("Bristol", "BS1"), ("Manchester", "M1"), ("Leeds", "LS1"), ("Cardiff", "CF10"),
        ("Edinburgh", "EH1"), ("Brighton", "BN1"), ("Bath", "BA1"), ("York", "YO1"), ("Norwich", "NR1"),
        ("Liverpool", "L1"), ("Oxford", "OX1"),
    ]

    /// Mailbox providers used by leaseholders, most common first.
    static let domains: [String] = [
        "gmail.com", "gmail.com", "gmail.com", "outlook.com", "hotmail.co.uk", "hotmail.com", "btinternet.com",
        "yahoo.co.uk", "icloud.com", "sky.com", "virginmedia.com", "live.co.uk", "aol.com", "talktalk.net",
        "mcgregor-lettings.co.uk", "nhs.net", "contoso-legal.co.uk",
    ]

    /// Misspelt domains as staff type them; they have no MX.
    static let typoDomains: [String] = ["gmial.com", "hotmial.co.uk", "outlok.com", "btinternet.con", "yahoo.co", "gmail.co"]

    static let ticketIssues: [String] = [
        "Leaking gutter above the entrance", "Communal lights out on 2nd floor", "Lift out of service",
        "Bin store door will not lock", "Damp patch in the stairwell", "Intercom not working",
        "Roof tiles missing after storm", "Fob for car park gate", "Noise complaint", "Blocked drain at rear",
    ]

    static let notices: [String] = [
        "Fire alarm test", "Window cleaning", "Section 20 notice: major works consultation",
        "Annual general meeting", "Water shut-off for repairs", "Buildings insurance renewal",
    ]
}
