//! What one feed shows of an outage or a series ([`View`]): which feeds an
//! event belongs in (the systems it hits, the systems that depend on them,
//! the bundles holding either), whether it is there through a dependency,
//! which consequences and what-still-works items are about the feed's
//! systems, and how badly they are hit. The renderers (feeds, page, list)
//! put a view in words.

use crate::schedule::{Details, Impact, Item, Schedule};

/// Who a feed is for.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'s> {
    /// `all.ics`, the page: every system.
    Everyone,
    /// A system's feed (one id) or a bundle's (its systems); sorted.
    Systems(&'s [String]),
}

impl Audience<'_> {
    /// More than one system: items about some of them name which.
    fn several(&self) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::Systems(ids) => ids.len() > 1,
        }
    }
}

/// What a feed shows of one outage or series. Feeds whose views are equal
/// share one rendering of the event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct View {
    /// Empty when the feed has the event for a system it hits; otherwise
    /// the systems hit that the feed's systems depend on.
    pub via: Vec<String>,
    /// With `via`: the feed's systems that depend on them.
    pub dependants: Vec<String>,
    /// Indexes of the consequences shown.
    pub consequences: Vec<usize>,
    /// Indexes of the still-works items shown.
    pub still_works: Vec<usize>,
    /// Items about some systems are shown with those systems' names.
    pub named: bool,
    pub impact: Impact,
}

impl View {
    /// What `audience` sees of `d`; `None` when it is not for them.
    pub fn of(schedule: &Schedule, d: &Details, audience: Audience) -> Option<View> {
        let ids = match audience {
            Audience::Everyone => return Some(View::everyone(d)),
            Audience::Systems(ids) => ids,
        };
        // `d.systems` is sorted.
        let hit = |s: &str| d.systems.binary_search_by(|x| x.as_str().cmp(s)).is_ok();
        // The systems hit that `s` depends on.
        let needs_hit = |s: &str| schedule.needs_of(s).filter(|n| hit(n)).collect::<Vec<_>>();
        let direct: Vec<&str> = ids.iter().map(String::as_str).filter(|s| hit(s)).collect();
        // The feed's systems that are not hit but depend on one that is,
        // and the systems hit that they depend on.
        let mut dependants: Vec<&str> = Vec::new();
        let mut needed: Vec<String> = Vec::new();
        for s in ids.iter().map(String::as_str).filter(|s| !hit(s)) {
            let mut any = false;
            for n in needs_hit(s) {
                any = true;
                if !needed.iter().any(|x| x == n) {
                    needed.push(n.to_string());
                }
            }
            if any {
                dependants.push(s);
            }
        }
        needed.sort_unstable();
        if direct.is_empty() && dependants.is_empty() {
            return None;
        }
        // The systems of the feed the event is about.
        let mut concerned: Vec<&str> = direct.clone();
        concerned.extend(dependants.iter().copied());
        let shown = |items: &[Item]| -> Vec<usize> {
            (0..items.len())
                .filter(|i| {
                    let about = &items[*i].systems;
                    about.is_empty() || about.iter().any(|s| concerned.contains(&s.as_str()))
                })
                .collect()
        };
        // The worst for any system of the feed: for one hit, as it is hit;
        // for a dependant, as it is said to be, or else as bad as what it
        // needs.
        let of_dependant = |s: &str| {
            let said = d.impact.per_system.get(s).copied();
            said.unwrap_or_else(|| d.impact.worst(needs_hit(s)))
        };
        let impact = direct
            .iter()
            .map(|s| d.impact.of(s))
            .chain(dependants.iter().map(|s| of_dependant(s)))
            .max()
            .unwrap_or(d.impact.default);
        let (via, dependants) = if direct.is_empty() {
            (needed, dependants.iter().map(|s| s.to_string()).collect())
        } else {
            (Vec::new(), Vec::new())
        };
        let consequences = shown(&d.consequences);
        let still_works = shown(&d.still_works);
        Some(View {
            via,
            dependants,
            named: audience.several() && about_some(d, &consequences, &still_works),
            consequences,
            still_works,
            impact,
        })
    }

    /// What the page and `all.ics` show: everything.
    pub fn everyone(d: &Details) -> View {
        let consequences: Vec<usize> = (0..d.consequences.len()).collect();
        let still_works: Vec<usize> = (0..d.still_works.len()).collect();
        View {
            via: Vec::new(),
            dependants: Vec::new(),
            named: about_some(d, &consequences, &still_works),
            consequences,
            still_works,
            impact: d.impact.worst(d.systems.iter().map(String::as_str)),
        }
    }

    /// The items of `items` this view shows, each with the names of the
    /// systems it is about where the feed has several: general items
    /// first, then by system in the order first written.
    pub fn shown<'d>(
        &self,
        items: &'d [Item],
        which: &[usize],
        names: &crate::schedule::SystemNames,
    ) -> Vec<(Option<String>, &'d str)> {
        let mut out: Vec<(Option<String>, &str)> = Vec::new();
        for &i in which {
            let Some(item) = items.get(i) else { continue };
            let about = (self.named && !item.systems.is_empty()).then(|| {
                item.systems
                    .iter()
                    .map(|s| names.get(s.as_str()).copied().unwrap_or(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            out.push((about, &item.text));
        }
        // Stable: the order written within a group.
        let mut groups: Vec<Option<String>> = Vec::new();
        for (about, _) in &out {
            if !groups.contains(about) {
                groups.push(about.clone());
            }
        }
        out.sort_by_key(|(about, _)| {
            about.as_ref().map_or(0, |_| {
                1 + groups.iter().position(|g| g == about).unwrap_or(0)
            })
        });
        out
    }
}

/// Some item shown is about some systems only (so that views that differ
/// only in naming them are equal when none is).
fn about_some(d: &Details, consequences: &[usize], still_works: &[usize]) -> bool {
    let about = |items: &[Item], which: &[usize]| {
        which
            .iter()
            .any(|i| items.get(*i).is_some_and(|it| !it.systems.is_empty()))
    };
    about(&d.consequences, consequences) || about(&d.still_works, still_works)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(yaml: &str) -> crate::pipeline::Checked {
        assert_eq!(crate::pipeline::error_lines_of(yaml), Vec::<String>::new());
        let files = [(std::path::PathBuf::from("t.yaml"), yaml.as_bytes().to_vec())];
        crate::pipeline::load_memory(&files).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_feed_sees_its_items_the_general_ones_and_what_it_gets_through_dependencies() {
        let c = schedule(
            "systems:\n  - id: gat\n    name: GAT\n  - id: internett\n    name: Internett\n  - id: telefoni\n    name: Telefoni\n    depends-on: [internett]\n  - id: visma\n    name: Visma\noutages:\n  - id: flytting\n    title: Flytting\n    systems: [gat, internett]\n    first-day: 2026-01-05\n    impact: [{level: degraded, systems: [gat]}]\n    consequences:\n      - Alt er nede.\n      - {text: Gat er nede., systems: [gat]}\n      - {text: Telefonene er nede., systems: [telefoni]}\n",
        );
        let s = &c.schedule;
        let d = &s.outages[0].details;
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let gat = ids(&["gat"]);
        let v = View::of(s, d, Audience::Systems(&gat)).unwrap();
        assert_eq!(
            (v.via.len(), v.consequences.clone(), v.named, v.impact),
            (0, vec![0, 1], false, Impact::Degraded)
        );
        let tel = ids(&["telefoni"]);
        let v = View::of(s, d, Audience::Systems(&tel)).unwrap();
        assert_eq!(
            (v.via.clone(), v.consequences.clone(), v.impact),
            (ids(&["internett"]), vec![0, 2], Impact::Down)
        );
        let visma = ids(&["visma"]);
        assert!(View::of(s, d, Audience::Systems(&visma)).is_none());
        let all = View::of(s, d, Audience::Everyone).unwrap();
        assert_eq!(
            (all.consequences.clone(), all.impact),
            (vec![0, 1, 2], Impact::Down)
        );
        let names = s.system_names();
        let shown = all.shown(&d.consequences, &all.consequences, &names);
        assert_eq!(
            shown,
            [
                (None, "Alt er nede."),
                (Some("GAT".into()), "Gat er nede."),
                (Some("Telefoni".into()), "Telefonene er nede.")
            ]
        );
    }
}
