//! Every limit on what nedetid reads and writes, in one place (the README's
//! "Limits" lists them). Each one ends in a located error that names it; they
//! bound the time and memory a build may take whatever the input.

/// Largest schedule file read (bytes), enforced while reading.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Deepest YAML nesting in a schedule file (the format needs 4 levels).
pub const MAX_DEPTH: usize = 32;
/// Most YAML aliases (`*name`) in a schedule file.
pub const MAX_ALIASES: usize = 1_000;
/// Largest state file (`manifest.json`) read (bytes).
pub const MAX_STATE_BYTES: u64 = 256 * 1024 * 1024;
/// The caches of the last build (`.nedetid.cache`, `.nedetid.parsed`) are
/// read up to this size; a larger one is ignored and written anew.
pub const MAX_CACHE_BYTES: u64 = 1024 * 1024 * 1024;

/// Longest id (ids name files and UIDs).
pub const MAX_ID_LEN: usize = 64;
/// Longest title, system name, calendar name or location (characters).
pub const MAX_NAME_CHARS: usize = 300;
/// Longest description or reason (characters).
pub const MAX_TEXT_CHARS: usize = 5_000;
/// Longest item of `consequences` or `still-works` (characters).
pub const MAX_ITEM_CHARS: usize = 1_000;
/// Most items in `consequences` or `still-works`.
pub const MAX_ITEMS: usize = 30;
/// Longest link (characters).
pub const MAX_LINK_CHARS: usize = 2_000;

/// Most occurrences one rule may give within its range.
pub const MAX_OCCURRENCES: u16 = 5_000;
/// Longest window of one outage or maintenance occurrence (days).
pub const MAX_WINDOW_DAYS: i64 = 31;

/// The years a date (and `--now`) may have: those for which the tz data
/// nedetid carries (chrono-tz) gives the tz database's offsets. Its tables
/// stop after 2099 (no daylight saving after that), and before 1970 the tz
/// database keeps only one history per group of zones that agree since
/// (chrono-tz reads Europe/Oslo as Europe/Berlin, without Norway's summer
/// time of 1959-1965).
pub const MIN_YEAR: i32 = 1970;
pub const MAX_YEAR: i32 = 2099;

/// Most events in all feeds together (an event counts once in `all.ics`
/// and once in each of its systems' feeds).
pub const MAX_FEED_EVENTS: usize = 500_000;
/// Most bytes a build may publish, estimated from the events' text before
/// anything is rendered.
pub const MAX_OUTPUT_BYTES: u64 = 1024 * 1024 * 1024;

/// Most problems shown in full per file; the rest of a file's are counted.
pub const SHOWN_PER_FILE: usize = 50;

/// How far ahead the page lists events for its script to show under "Pågår
/// nå" when they start: the page is rebuilt at night, and an event is
/// listed from this many days before it starts, so that a page left
/// unrebuilt for up to that long still shows what is down.
pub const NOW_AHEAD_DAYS: i64 = 7;

/// Most entries in one Atom feed: the newest changes. A feed reader fetches
/// the whole file every time; one entry per event of a national schedule
/// (42,000) would be 35 MB. A system's feed stays under it.
pub const MAX_ATOM_ENTRIES: usize = 500;
