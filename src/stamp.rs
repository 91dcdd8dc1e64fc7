//! Dates and times as text in the fixed forms the outputs use, written
//! field by field: chrono's `format` parses its pattern on every call, which
//! shows when a build writes hundreds of thousands of them.

use chrono::{DateTime, Datelike as _, NaiveDate, NaiveDateTime, Timelike as _, Utc};

/// `20191016` (`sep` ""), or `2019-10-16` (`sep` "-").
pub fn date(d: NaiveDate, sep: &str) -> String {
    let mut s = String::with_capacity(10);
    push_date(&mut s, d, sep);
    s
}

/// `20191016T160000` (`sep` ""), or `2019-10-16T16:00:00` (`sep` "-").
pub fn date_time(t: NaiveDateTime, sep: &str) -> String {
    let mut s = String::with_capacity(19);
    push_date(&mut s, t.date(), sep);
    let time_sep = if sep.is_empty() { "" } else { ":" };
    s.push('T');
    push2(&mut s, t.hour());
    s.push_str(time_sep);
    push2(&mut s, t.minute());
    s.push_str(time_sep);
    // A leap second is second 59 with more than a second of nanoseconds.
    push2(&mut s, t.second() + t.nanosecond() / 1_000_000_000);
    s
}

/// A UTC instant: `20191016T140000Z` (`sep` ""), or `2019-10-16T14:00:00Z`
/// (`sep` "-").
pub fn utc(t: DateTime<Utc>, sep: &str) -> String {
    let mut s = date_time(t.naive_utc(), sep);
    s.push('Z');
    s
}

fn push_date(s: &mut String, d: NaiveDate, sep: &str) {
    let year = d.year();
    if (0..=9999).contains(&year) {
        let year = year as u32;
        push2(s, year / 100);
        push2(s, year % 100);
    } else {
        // What chrono writes: a sign and at least four digits.
        s.push_str(&d.format("%Y").to_string());
    }
    s.push_str(sep);
    push2(s, d.month());
    s.push_str(sep);
    push2(s, d.day());
}

fn push2(s: &mut String, n: u32) {
    s.push(char::from(b'0' + (n / 10 % 10) as u8));
    s.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_text_as_chrono(
            days in -1_000_000i32..4_000_000,
            secs in prop_oneof![0u32..86_400, Just(86_399)],
            nanos in prop_oneof![Just(0u32), 0u32..2_000_000_000],
        ) {
            let Some(d) = chrono::NaiveDate::from_num_days_from_ce_opt(days) else {
                return Ok(());
            };
            // Nanoseconds over a second (a leap second) only at :59.
            let Some(time) = chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos) else {
                return Ok(());
            };
            let t = d.and_time(time);
            prop_assert_eq!(super::date(d, ""), d.format("%Y%m%d").to_string());
            prop_assert_eq!(super::date(d, "-"), d.format("%Y-%m-%d").to_string());
            prop_assert_eq!(super::date_time(t, ""), t.format("%Y%m%dT%H%M%S").to_string());
            prop_assert_eq!(super::date_time(t, "-"), t.format("%Y-%m-%dT%H:%M:%S").to_string());
        }
    }
}
