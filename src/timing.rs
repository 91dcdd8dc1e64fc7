//! Stage timings of one run, for the people who work on nedetid: when the
//! environment variable `NEDETID_TIMINGS` is set, every [`mark`] keeps the
//! moment a stage ended (since the first mark) and on which thread, and
//! the command prints them at the end. Unset, a mark costs one atomic load.

use std::sync::Mutex;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// One stage's end: its name, the time since the run started, the thread.
#[derive(Debug, Clone)]
pub struct Mark {
    pub stage: &'static str,
    pub at: Duration,
    pub thread: String,
}

struct Timer {
    start: Instant,
    marks: Mutex<Vec<Mark>>,
}

fn timer() -> Option<&'static Timer> {
    static TIMER: OnceLock<Option<Timer>> = OnceLock::new();
    TIMER
        .get_or_init(|| {
            std::env::var_os("NEDETID_TIMINGS").map(|_| Timer {
                start: Instant::now(),
                marks: Mutex::new(Vec::new()),
            })
        })
        .as_ref()
}

/// Starts the clock (the first mark does otherwise).
pub fn start() {
    let _ = timer();
}

/// Notes that `stage` ended now, on this thread.
pub fn mark(stage: &'static str) {
    if let Some(timer) = timer() {
        let at = timer.start.elapsed();
        let thread = std::thread::current();
        let thread = match thread.name() {
            Some(name) => name.to_string(),
            None => format!("{:?}", thread.id()),
        };
        if let Ok(mut marks) = timer.marks.lock() {
            marks.push(Mark { stage, at, thread });
        }
    }
}

/// The marks so far in the order of time, with the time each stage took
/// since the thread's mark before (or the start); empty when not timing.
pub fn take() -> Vec<(Mark, Duration)> {
    let Some(timer) = timer() else {
        return Vec::new();
    };
    let mut marks = timer
        .marks
        .lock()
        .map(|mut m| std::mem::take(&mut *m))
        .unwrap_or_default();
    marks.sort_by_key(|m| m.at);
    let mut last: std::collections::HashMap<String, Duration> = Default::default();
    marks
        .into_iter()
        .map(|m| {
            let before = last.insert(m.thread.clone(), m.at).unwrap_or_default();
            let took = m.at.saturating_sub(before);
            (m, took)
        })
        .collect()
}
