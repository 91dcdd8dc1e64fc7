//! A maintenance rule's dates, and the checks that its exceptions (skipped
//! dates and months, moves, extra dates) fit the rule. Independent of "now":
//! the exceptions are checked against the rule wherever they lie, so that
//! validation finds every such mistake at once.

use std::collections::BTreeMap;

use chrono::{Datelike as _, Months, NaiveDate, NaiveTime, TimeZone as _};

use crate::error::{Location, Problem};
use crate::limits::MAX_OCCURRENCES;
use crate::schedule::Series;

/// How far past its first date an open-ended rule must give a date: four
/// years and a month, so that a rule for 29 February passes.
const FIRST_DATE_WITHIN_MONTHS: u32 = 49;

/// The dates a rule gives from its `from` date to `last`, inclusive.
pub fn rule_dates(series: &Series, last: NaiveDate) -> Result<Vec<NaiveDate>, Problem> {
    let utc = rrule::Tz::UTC;
    let at = |d: NaiveDate| utc.from_utc_datetime(&d.and_time(NaiveTime::MIN));
    let bad_rule = |e: rrule::RRuleError| {
        Problem::error(
            series.rule_at.clone(),
            format!("invalid rule `{}`: {}", series.rule_text, rrule_message(&e)),
        )
        .help("write an RFC 5545 RRULE, e.g. `FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3`")
    };
    let set = series
        .rule
        .clone()
        .build(at(series.from))
        .map_err(bad_rule)?;
    let stop = last.succ_opt().unwrap_or(last);
    let result = set.before(at(stop)).all(MAX_OCCURRENCES + 1);
    if result.dates.len() > usize::from(MAX_OCCURRENCES) {
        return Err(Problem::error(
            series.rule_at.clone(),
            format!(
                "rule `{}` gives more than {MAX_OCCURRENCES} occurrences before {last}",
                series.rule_text
            ),
        )
        .help("set `until`, or check the rule's frequency"));
    }
    let mut dates: Vec<NaiveDate> = result
        .dates
        .iter()
        .map(|d| d.date_naive())
        .filter(|d| *d >= series.from && *d <= last)
        .collect();
    dates.dedup();
    Ok(dates)
}

/// The rrule crate's message without its prefix and final period.
pub fn rrule_message(e: &rrule::RRuleError) -> String {
    let e = e.to_string();
    let e = e
        .strip_prefix("RRule parsing error: ")
        .or_else(|| e.strip_prefix("RRule validation error: "))
        .unwrap_or(&e);
    e.trim_end_matches('.').to_string()
}

/// Every mistake in a series' exceptions, and a rule that gives no date at
/// all. The rule is read up to `until`, or for an open-ended rule past its
/// last exception and at least four years, so that the answer does not
/// depend on when the check runs.
pub fn check_exceptions(series: &Series) -> Vec<Problem> {
    let latest_exception = series
        .skips
        .iter()
        .map(|s| s.date)
        .chain(series.moves.iter().flat_map(|m| [m.from, m.to]))
        .chain(series.extras.iter().map(|e| e.date))
        .max();
    let first_years = series
        .from
        .checked_add_months(Months::new(FIRST_DATE_WITHIN_MONTHS))
        .unwrap_or(series.from);
    let check_to = match series.until {
        Some(until) => until,
        None => latest_exception
            .and_then(|e| e.checked_add_months(Months::new(2)))
            .map_or(first_years, |e| e.max(first_years)),
    };
    let dates = match rule_dates(series, check_to) {
        Ok(dates) => dates,
        Err(p) => return vec![p],
    };
    let rule = RuleDates {
        series,
        dates,
        range: match series.until {
            Some(u) => format!("{} to {u}", series.from),
            None => format!("from {}", series.from),
        },
    };
    let mut problems = rule.exception_dates();
    problems.extend(rule.targets());
    problems.extend(rule.skipped_months());
    if rule.dates.is_empty() && series.extras.is_empty() {
        problems.push(
            Problem::error(
                series.rule_at.clone(),
                format!(
                    "rule `{}` has no occurrences {}",
                    series.rule_text, rule.range
                ),
            )
            .help(match series.until {
                Some(_) => "check the rule, `from` and `until`",
                None => "check the rule and `from`",
            }),
        );
    }
    problems
}

/// A series with the dates its rule gives over the checked range.
struct RuleDates<'s> {
    series: &'s Series,
    /// Sorted.
    dates: Vec<NaiveDate>,
    /// The checked range, as messages name it.
    range: String,
}

impl<'s> RuleDates<'s> {
    fn is_occurrence(&self, d: NaiveDate) -> bool {
        self.dates.binary_search(&d).is_ok()
    }

    fn not_occurrence(&self, d: NaiveDate, at: &Location, what: &str) -> Problem {
        Problem::error(
            at.clone(),
            format!(
                "{what} {d} is not an occurrence of rule `{}` ({})",
                self.series.rule_text, self.range
            ),
        )
        .help(nearest(&self.dates, d))
    }

    /// Skipped and moved dates must be occurrences, with one exception
    /// each; a move may not land on another occurrence.
    fn exception_dates(&self) -> Vec<Problem> {
        let series = self.series;
        let mut problems = Vec::new();
        let mut used = BTreeMap::<NaiveDate, &Location>::new();
        let mut claim = |d: NaiveDate, at: &'s Location, problems: &mut Vec<Problem>| {
            if let Some(other) = used.insert(d, at) {
                let (first, second) = in_file_order(other, at);
                problems.push(
                    Problem::error(second.clone(), format!("{d} already has an exception"))
                        .help(format!("the first one is at {first}; keep one")),
                );
            }
        };
        for skip in &series.skips {
            if !self.is_occurrence(skip.date) {
                problems.push(self.not_occurrence(skip.date, &skip.at, "skipped date"));
            }
            claim(skip.date, &skip.at, &mut problems);
        }
        for m in &series.moves {
            if !self.is_occurrence(m.from) {
                problems.push(self.not_occurrence(m.from, &m.at, "moved date"));
            } else if series.skip_months.iter().any(|s| s.month == m.from.month()) {
                problems.push(
                    Problem::error(
                        m.at.clone(),
                        format!("moved date {} is in skipped month {}", m.from, m.from.month()),
                    )
                    .help("the month is skipped, so there is nothing to move: remove the move, or add the day as an extra date"),
                );
            }
            claim(m.from, &m.at, &mut problems);
            let skipped_day = series.skips.iter().any(|s| s.date == m.to)
                || series.skip_months.iter().any(|s| s.month == m.to.month());
            if m.to != m.from && self.is_occurrence(m.to) && !skipped_day {
                problems.push(
                    Problem::error(
                        m.at.clone(),
                        format!(
                            "{} is moved onto {}, which is itself an occurrence",
                            m.from, m.to
                        ),
                    )
                    .help("skip one of them instead, or move it to a free day"),
                );
            }
        }
        for e in series.extras.iter().filter(|e| self.is_occurrence(e.date)) {
            problems.push(
                Problem::error(
                    e.at.clone(),
                    format!(
                        "extra date {} is already an occurrence of rule `{}`",
                        e.date, series.rule_text
                    ),
                )
                .help("remove the extra date"),
            );
        }
        problems
    }

    /// Every published date that is not the rule's own: at most one each.
    fn targets(&self) -> Vec<Problem> {
        let series = self.series;
        let mut problems = Vec::new();
        let mut targets = BTreeMap::<NaiveDate, &Location>::new();
        let moved = series
            .moves
            .iter()
            .filter(|m| m.to != m.from)
            .map(|m| (m.to, &m.at));
        for (date, at) in moved.chain(series.extras.iter().map(|e| (e.date, &e.at))) {
            if let Some(other) = targets.insert(date, at) {
                let (first, second) = in_file_order(other, at);
                problems.push(
                    Problem::error(
                        second.clone(),
                        format!("{date} is already the date of another move or extra date"),
                    )
                    .help(format!("the other one is at {first}; keep one")),
                );
            }
        }
        problems
    }

    /// A skipped month must be one the rule has, and be given once.
    fn skipped_months(&self) -> Vec<Problem> {
        let series = self.series;
        let mut seen = BTreeMap::<u32, &Location>::new();
        let repeated = series.skip_months.iter().filter_map(|sm| {
            let other = seen.insert(sm.month, &sm.at)?;
            let (first, second) = in_file_order(other, &sm.at);
            Some(
                Problem::error(
                    second.clone(),
                    format!("month {} is skipped twice", sm.month),
                )
                .help(format!("the first one is at {first}; keep one")),
            )
        });
        let mut problems: Vec<Problem> = repeated.collect();
        let missing = series
            .skip_months
            .iter()
            .filter(|sm| !self.dates.iter().any(|d| d.month() == sm.month))
            .map(|sm| {
                Problem::error(
                    sm.at.clone(),
                    format!(
                        "rule `{}` has no occurrence in month {} ({})",
                        series.rule_text, sm.month, self.range
                    ),
                )
                .help("remove the skipped month")
            });
        problems.extend(missing);
        problems
    }
}

/// Two places of the same exception, the one written first first.
fn in_file_order<'l>(a: &'l Location, b: &'l Location) -> (&'l Location, &'l Location) {
    let key = |l: &Location| (l.file.clone(), l.line, l.column);
    if key(a) <= key(b) { (a, b) } else { (b, a) }
}

/// A help naming the rule dates on either side of `d`.
fn nearest(dates: &[NaiveDate], d: NaiveDate) -> String {
    let i = dates.partition_point(|x| *x < d);
    let near: Vec<String> = dates[i.saturating_sub(1)..(i + 1).min(dates.len())]
        .iter()
        .map(|x| format!("{x} ({})", x.format("%A")))
        .collect();
    if near.is_empty() {
        "the rule has no occurrences near it".into()
    } else {
        format!("the nearest occurrences are {}", near.join(" and "))
    }
}

#[cfg(test)]
mod tests {
    /// The error lines `check` prints for a weekly series with `extra` keys.
    fn errors(extra: &str) -> Vec<String> {
        let yaml = format!(
            "systems:\n  - id: a\n    name: A\nmaintenance:\n  - id: m\n    title: M\n    systems: [a]\n    rule: FREQ=WEEKLY;BYDAY=TU\n    from: 2019-01-01\n    until: 2019-06-01\n    start-time: \"10:00\"\n    end-time: \"11:00\"\n{extra}"
        );
        crate::pipeline::error_lines_of(&yaml)
    }

    #[test]
    fn a_move_out_of_a_skipped_month_is_an_error() {
        let e = errors(
            "    skip-months:\n      - month: 3\n    moves:\n      - from: 2019-03-05\n        to: 2019-04-03\n",
        );
        assert_eq!(
            e,
            ["error: t.yaml:16:15: moved date 2019-03-05 is in skipped month 3"]
        );
    }

    #[test]
    fn a_month_skipped_twice_is_an_error_at_the_second() {
        let e = errors("    skip-months:\n      - month: 3\n      - month: 3\n");
        assert_eq!(e, ["error: t.yaml:15:16: month 3 is skipped twice"]);
    }

    #[test]
    fn a_repeated_exception_is_reported_where_it_is_repeated() {
        // The move comes first in the file, the skip of the same date later.
        let e = errors(
            "    moves:\n      - from: 2019-01-08\n        to: 2019-01-09\n    skip:\n      - date: 2019-01-08\n",
        );
        assert_eq!(
            e,
            ["error: t.yaml:17:15: 2019-01-08 already has an exception"]
        );
    }
}
